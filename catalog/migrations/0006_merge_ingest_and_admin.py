# Joins the two branches made side by side: faster ingestion (0004) and admin-managed entities (0005).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_ingest_speed"),
        ("catalog", "0005_admin_managed"),
    ]

    operations = []
