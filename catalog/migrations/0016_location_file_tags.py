"""File digests move from a column on every entity to one row per file (``LocationFile``).

The tags already stored are kept: a file whose entities all carry the same tag gets that tag, so the first
refresh after the upgrade still skips the files that have not changed.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

# On SQLite, dropping a column rebuilds the table and loses the catalog version triggers, as adding one did.
restore_version_triggers = import_module(
    "catalog.migrations.0014_entity_search_text"
).restore_version_triggers


def copy_tags(apps, schema_editor) -> None:
    entity = apps.get_model("catalog", "Entity")
    location_file = apps.get_model("catalog", "LocationFile")
    rows = (
        entity.objects.filter(location__isnull=False)
        .exclude(location_key="")
        .values("location_id", "location_key")
        .annotate(
            tag=models.Max("source_digest"),
            lowest=models.Min("source_digest"),
        )
        .order_by()
    )
    batch = [
        location_file(location_id=row["location_id"], file=row["location_key"], tag=row["tag"])
        for row in rows.iterator()
        if row["tag"] and row["tag"] == row["lowest"]
    ]
    location_file.objects.bulk_create(batch, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0015_served_text_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="LocationFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file", models.CharField(help_text="Location reference of the file read.", max_length=2048)),
                (
                    "tag",
                    models.CharField(
                        help_text="The file's digest and how many entities it held.", max_length=64
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="files",
                        to="catalog.location",
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_tags, migrations.RunPython.noop),
        migrations.RemoveField(model_name="entity", name="source_digest"),
        migrations.RunPython(restore_version_triggers, restore_version_triggers),
    ]
