from importlib import import_module

from django.db import migrations, models
from django.db.models import Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce


version_triggers = import_module("catalog.migrations.0007_catalog_version")


def restore_version_triggers(apps, schema_editor) -> None:
    """On SQLite, adding a NOT NULL column rebuilds the table, and the catalog version triggers (0007) go
    with the old one: put them back. PostgreSQL adds the column in place."""
    if schema_editor.connection.vendor == "sqlite":
        version_triggers.drop_triggers(apps, schema_editor)
        version_triggers.create_triggers(apps, schema_editor)


def copy_descriptions(apps, schema_editor) -> None:
    """Fill the new column from the processed entities already stored."""
    entity = apps.get_model("catalog", "Entity")
    entity.objects.using(schema_editor.connection.alias).update(
        description=Coalesce(KT("processed__metadata__description"), Value(""))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0013_served_json_inline"),
    ]

    operations = [
        migrations.AddField(
            model_name="entity",
            name="description",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(restore_version_triggers, restore_version_triggers),
        migrations.RunPython(copy_descriptions, migrations.RunPython.noop),
    ]
