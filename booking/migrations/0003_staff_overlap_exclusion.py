"""PostgreSQL only: no two bookings that hold a staff member may overlap, as a database constraint.

The engine already refuses such bookings under its locks; this is the second line. Forced bookings (a staff caller
skipped the availability check) and paid double bookings (Confirm Or Decline's doubleBooked) are allowed to overlap,
as in Wix. SQLite has no exclusion constraints; there IMMEDIATE transactions serialise every write instead. booking/occupancy.py
states the rule today; tests/test_occupancy.py checks that the live constraint is that one.
"""

from django.db import migrations

CONSTRAINT = """
ALTER TABLE booking_booking ADD CONSTRAINT booking_staff_no_overlap EXCLUDE USING gist (
    staff_id WITH =,
    tstzrange("start", occupied_until, '[)') WITH &&
) WHERE (status IN ('CONFIRMED', 'PENDING') AND NOT double_booked AND NOT skip_availability_validation)
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(CONSTRAINT)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE booking_booking DROP CONSTRAINT IF EXISTS booking_staff_no_overlap")


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_audit_trail")]
    operations = [migrations.RunPython(add, remove)]
