"""The catalog kept between requests (booking/backends/local/catalog_cache.py) is never stale: after every kind of
change to what a catalog read returns, the next read shows it; a change rolled back leaves the catalog as it was;
a kept read costs the business row alone, and hands out a copy of its own."""

from datetime import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from booking import models
from booking.backends.local import catalog
from booking.errors import NotFound
from tests.catalog import make_business, make_form, make_policy, make_service, make_staff, weekdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    make_business()
    make_policy()
    ana, ben = make_staff("Ana", weekdays(time(9), time(17))), make_staff("Ben", weekdays(time(9), time(17)))
    own_policy = models.BookingPolicy.objects.create(name="Strict", earliest_booking_in_minutes=60)
    massage = make_service([ana, ben], booking_policy=own_policy, form=make_form())
    return {"ana": ana, "ben": ben, "massage": massage, "policy": own_policy}


def massage(engine, shop):
    return engine.query_services(filter={"id": str(shop["massage"].pk)})[0]


def form_labels(engine, shop) -> list[str]:
    return [f.label for f in engine.get_form_summary(str(shop["massage"].form_id)).fields]


def rename(instance, name):
    instance.name = name
    instance.save()


def deactivate(member):
    member.is_active = False
    member.save()


def relabel_first_field(form):
    field = form.fields.order_by("sort_order").first()
    field.label = "Given name"
    field.save()


def hide(service):
    service.hidden = True
    service.save()


# (what changes, the change, what the next read shows)
CHANGES = [
    ("the service", lambda s: rename(s["massage"], "Deep massage"), lambda e, s: massage(e, s).name == "Deep massage"),
    ("its category", lambda s: rename(s["massage"].category, "Bodywork"),
     lambda e, s: massage(e, s).category.name == "Bodywork"),
    ("its own policy", lambda s: rename(s["policy"], "Stricter"),
     lambda e, s: massage(e, s).booking_policy.name == "Stricter"),
    ("a staff member", lambda s: rename(s["ana"], "Anna"),
     lambda e, s: [m.name for m in massage(e, s).staff_members] == ["Anna", "Ben"]),
    ("a staff member who left", lambda s: deactivate(s["ana"]),
     lambda e, s: [m.name for m in massage(e, s).staff_members] == ["Ben"]),
    ("its staff", lambda s: s["massage"].staff.remove(s["ben"]),
     lambda e, s: [m.name for m in massage(e, s).staff_members] == ["Ana"]),
    ("a place", lambda s: rename(s["massage"].locations.get(), "Back room"),
     lambda e, s: [p.name for p in massage(e, s).locations] == ["Back room"]),
    ("its places", lambda s: s["massage"].locations.clear(), lambda e, s: massage(e, s).locations == ()),
    ("its visibility", lambda s: hide(s["massage"]),
     lambda e, s: e.query_services(filter={"id": str(s["massage"].pk)}) == []),
    ("its form's fields", lambda s: relabel_first_field(s["massage"].form),
     lambda e, s: form_labels(e, s)[0] == "Given name"),
    ("a field removed", lambda s: s["massage"].form.fields.filter(target="notes").delete(),
     lambda e, s: "Notes" not in form_labels(e, s)),
]


@pytest.mark.parametrize(("what", "change", "shows"), CHANGES, ids=[c[0] for c in CHANGES])
def test_the_next_read_after_a_change_shows_it(engine, shop, what, change, shows):
    massage(engine, shop), form_labels(engine, shop), engine.query_services()  # kept from here on
    assert not shows(engine, shop)
    change(shop)
    assert shows(engine, shop), f"a change to {what} was hidden by the kept catalog"


def test_a_deleted_form_is_not_found_afterwards(engine, shop):
    unused = make_form()  # a form in use cannot be deleted
    form_id = str(unused.pk)
    engine.get_form_summary(form_id)
    unused.delete()
    with pytest.raises(NotFound):
        engine.get_form_summary(form_id)


def test_a_change_rolled_back_leaves_the_catalog_as_it_was(engine, shop):
    assert massage(engine, shop).name == "Massage"
    with pytest.raises(RuntimeError), transaction.atomic():
        rename(shop["massage"], "Never saved")
        assert massage(engine, shop).name == "Never saved"  # kept under the token the rolled-back change drew
        raise RuntimeError
    assert massage(engine, shop).name == "Massage"
    rename(shop["massage"], "Saved")
    assert massage(engine, shop).name == "Saved"


def test_a_kept_read_costs_the_business_row_alone_and_is_a_copy(shop):
    first = catalog.get_service(str(shop["massage"].pk))
    first.name = "Changed by a caller"
    with CaptureQueriesContext(connection) as queries:
        again = catalog.get_service(str(shop["massage"].pk))
    assert len(queries) == 1, "the business row, with the catalog version"
    assert again.name == "Massage" and [m.name for m in again.active_staff] == ["Ana", "Ben"]
