import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0011_staff_admin'),
    ]

    operations = [
        migrations.CreateModel(
            name='ConfirmationRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enabled', models.BooleanField(default=True)),
                ('min_requests_per_day', models.PositiveSmallIntegerField(default=2, help_text="Once a day (the business's local day) has this many pending requests, all of them are confirmed.", validators=[django.core.validators.MinValueValidator(1)])),
                ('service', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='confirmation_rule', to='booking.service')),
            ],
        ),
    ]
