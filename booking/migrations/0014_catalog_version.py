import secrets

from django.db import migrations, models


def first_token(apps, schema_editor):
    # As booking.catalog_version.new_token() draws it (a migration keeps its own copy of the rule).
    apps.get_model("booking", "CatalogVersion").objects.create(pk=1, token=secrets.randbits(62) + 1)


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0013_waitlist'),
    ]

    operations = [
        migrations.CreateModel(
            name='CatalogVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
