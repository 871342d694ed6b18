from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("wix_sandbox", "0002_ecom"),
    ]

    operations = [
        migrations.CreateModel(
            name="EcomPayment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("payment_id", models.CharField(max_length=64, unique=True)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                ("refunded", models.DecimalField(decimal_places=2, default=0, max_digits=12)),
                ("status", models.CharField(max_length=30)),
                ("offline", models.BooleanField(default=False)),
                ("details", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("order", models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="payments",
                                            to="wix_sandbox.ecomorder")),
            ],
            options={"ordering": ["pk"]},
        ),
        migrations.CreateModel(
            name="EcomRefund",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("refund_id", models.CharField(db_index=True, max_length=64)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                ("external", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("order", models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="refunds",
                                            to="wix_sandbox.ecomorder")),
                ("payment", models.ForeignKey(on_delete=models.deletion.CASCADE, to="wix_sandbox.ecompayment")),
            ],
            options={"ordering": ["pk"]},
        ),
    ]
