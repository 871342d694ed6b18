from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payments", "0006_order_payments")]

    operations = [
        migrations.AddField(
            model_name="wixecomcheckout",
            name="seen_status",
            field=models.CharField(default="CREATED", max_length=20),
        ),
    ]
