from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("wix_sandbox", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="EcomCheckout",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("checkout_id", models.CharField(max_length=64, unique=True)),
                ("booking_id", models.CharField(db_index=True, max_length=64)),
                ("visitor_id", models.UUIDField(blank=True, null=True)),
                ("buyer", models.JSONField(default=dict)),
                ("currency", models.CharField(max_length=3)),
                ("total", models.DecimalField(decimal_places=2, max_digits=12)),
                ("pay_now", models.DecimalField(decimal_places=2, max_digits=12)),
                ("pay_later", models.DecimalField(decimal_places=2, max_digits=12)),
                ("completed", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="RedirectSession",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("session_id", models.CharField(max_length=64, unique=True)),
                ("thank_you_page_url", models.URLField(blank=True, max_length=2000)),
                ("post_flow_url", models.URLField(blank=True, max_length=2000)),
                ("state", models.CharField(blank=True, max_length=500)),
                ("checkout", models.ForeignKey(on_delete=models.deletion.CASCADE, to="wix_sandbox.ecomcheckout")),
            ],
        ),
        migrations.CreateModel(
            name="EcomOrder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order_id", models.CharField(max_length=64, unique=True)),
                ("status", models.CharField(max_length=20)),
                ("payment_status", models.CharField(max_length=30)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("checkout", models.OneToOneField(on_delete=models.deletion.CASCADE, to="wix_sandbox.ecomcheckout")),
            ],
        ),
    ]
