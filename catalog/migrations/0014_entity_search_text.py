from importlib import import_module

from django.db import migrations, models

version_triggers = import_module("catalog.migrations.0007_catalog_version")
BATCH = 200  # rows per UPDATE: bulk_update's CASE grows with the square of the batch
LIMIT = 1000  # bytes, as catalog.services.refresh.SEARCH_TEXT_LIMIT when this was written


def _text(metadata: dict) -> str:
    """A frozen copy of catalog.services.refresh.search_text."""
    tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
    parts = [metadata.get("name"), metadata.get("title"), " ".join(str(t) for t in tags), metadata.get("description")]
    text = "\n".join(str(part) for part in parts if part).lower()
    return text.encode()[:LIMIT].decode(errors="ignore")


def fill_search_text(apps, schema_editor) -> None:
    """Fill the new column from the processed entities already stored (the indexes come in 0015: PostgreSQL
    builds no index on a table with the version trigger's events pending)."""
    entity = apps.get_model("catalog", "Entity")
    manager = entity.objects.using(schema_editor.connection.alias)
    batch = []
    for row in manager.only("id", "processed").order_by("pk").iterator(chunk_size=2000):
        row.search_text = _text((row.processed or {}).get("metadata") or {})
        batch.append(row)
        if len(batch) == BATCH:
            manager.bulk_update(batch, ["search_text"])
            batch = []
    manager.bulk_update(batch, ["search_text"])


def restore_version_triggers(apps, schema_editor) -> None:
    """On SQLite, adding a NOT NULL column rebuilds the table, and the catalog version triggers (0007) go
    with the old one: put them back. PostgreSQL adds the column in place."""
    if schema_editor.connection.vendor == "sqlite":
        version_triggers.drop_triggers(apps, schema_editor)
        version_triggers.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0013_served_json_inline"),
    ]

    operations = [
        migrations.AddField(
            model_name="entity",
            name="search_text",
            field=models.TextField(blank=True, help_text="Lower-cased name, title, tags and description."),
        ),
        migrations.RunPython(restore_version_triggers, restore_version_triggers),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
