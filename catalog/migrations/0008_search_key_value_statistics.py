# PostgreSQL plans filters on the search table from the frequency of each (key, value) pair, not of key and
# value apart: with these statistics it knows that metadata.tags=java is common and walks entities in order
# instead of sorting every match. SQLite has no such statistics; nothing to do there.

from django.db import migrations

CREATE = "CREATE STATISTICS IF NOT EXISTS catalog_search_key_value_stats (mcv, dependencies, ndistinct) ON key, value FROM catalog_searchrow"
DROP = "DROP STATISTICS IF EXISTS catalog_search_key_value_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE catalog_searchrow")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_catalog_version")]

    operations = [migrations.RunPython(create, drop)]
