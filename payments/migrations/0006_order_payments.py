import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0005_wix_ecom"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="wixecomcheckout",
            options={"ordering": ["-created_at"], "verbose_name": "Wix order"},
        ),
        migrations.CreateModel(
            name="WixOrderRefund",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("booking_id", models.CharField(db_index=True, max_length=64)),
                ("order_id", models.CharField(max_length=64)),
                ("payment_id", models.CharField(max_length=64)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=10)),
                ("currency", models.CharField(blank=True, max_length=3)),
                ("external", models.BooleanField(default=False, help_text="Refunded elsewhere (Stripe); Wix only records it.")),
                ("status", models.CharField(choices=[("requested", "Requested"), ("succeeded", "Succeeded"), ("failed", "Failed")], default="requested", max_length=10)),
                ("refund_id", models.CharField(blank=True, max_length=64)),
                ("reason", models.CharField(max_length=300)),
                ("error", models.CharField(blank=True, max_length=300)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["-created_at"],
                "constraints": [models.UniqueConstraint(fields=("order_id", "payment_id"), name="one_refund_per_payment")],
            },
        ),
        migrations.CreateModel(
            name="WixOrderPayment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("booking_id", models.CharField(db_index=True, max_length=64)),
                ("order_id", models.CharField(db_index=True, max_length=64)),
                ("kind", models.CharField(choices=[("in_person", "Paid in person"), ("stripe", "Stripe payment")], max_length=10)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=10)),
                ("currency", models.CharField(blank=True, max_length=3)),
                ("payment_id", models.CharField(blank=True, help_text="Wix's id of the payment record.", max_length=64)),
                ("recorded_at", models.DateTimeField(blank=True, help_text="When Wix accepted the record.", null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("recorded_by", models.ForeignKey(blank=True, help_text="The staff member who marked it paid.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("stripe_checkout", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="wix_order_payment", to="payments.stripecheckout")),
            ],
            options={
                "ordering": ["-created_at"],
                "constraints": [models.UniqueConstraint(condition=models.Q(("kind", "in_person")), fields=("order_id",), name="one_in_person_payment_per_order")],
            },
        ),
    ]
