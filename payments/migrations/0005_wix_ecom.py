from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0004_checkout_settling"),
    ]

    operations = [
        migrations.CreateModel(
            name="WixEcomCheckout",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("booking_id", models.CharField(db_index=True, max_length=64)),
                ("checkout_id", models.CharField(max_length=64, unique=True)),
                ("currency", models.CharField(blank=True, max_length=3)),
                ("total", models.DecimalField(decimal_places=2, max_digits=10)),
                ("pay_now", models.DecimalField(decimal_places=2, max_digits=10)),
                ("pay_later", models.DecimalField(decimal_places=2, max_digits=10)),
                ("order_id", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["-created_at"]},
        ),
    ]
