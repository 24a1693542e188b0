# Ingest speed: fewer indexes for every entity write, byte-wise collation for the search table's keys.
#
# ``source_digest`` lets a refresh skip a file that has not changed since its entities were processed.
# ``db_index`` CharFields get a second ``varchar_pattern_ops`` index on PostgreSQL that no query uses; they
# become plain indexes. Two single-column FK indexes duplicated the first column of a composite index.
# On PostgreSQL the search table's ``key`` and ``value`` compare with the "C" collation: they are lower-cased
# text matched for equality and prefix, and C makes each of the ~40 index insertions per entity much cheaper
# (and lets the index serve ``LIKE 'prefix%'``). The entity's JSON documents are compressed with lz4, several
# times faster to write than the default pglz, where the server has it. Other databases are left as they are.

import django.db.models.deletion
from django.db import migrations, models

SEARCH_COLUMNS = ("key", "value")


def _collate_search_columns(collation: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        alter = ", ".join(
            f'ALTER COLUMN "{column}" TYPE varchar(200) COLLATE "{collation}"' for column in SEARCH_COLUMNS
        )
        schema_editor.execute(f"ALTER TABLE catalog_searchrow {alter}")

    return run


JSON_COLUMNS = ("descriptor", "processed", "final")


def _compress_json_columns(method: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND %s = ANY(enumvals)",
                [method],
            )
            if cursor.fetchone() is None:
                return
        alter = ", ".join(f'ALTER COLUMN "{column}" SET COMPRESSION {method}' for column in JSON_COLUMNS)
        schema_editor.execute(f"ALTER TABLE catalog_entity {alter}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_entity_json_keeps_key_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="entity",
            name="source_digest",
            field=models.CharField(
                blank=True,
                help_text="Digest of the file it came from and how many entities that file held, when all processed.",
                max_length=64,
            ),
        ),
        migrations.AlterField(
            model_name="entity",
            name="kind",
            field=models.CharField(max_length=63),
        ),
        migrations.AlterField(
            model_name="entity",
            name="lifecycle",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="entity",
            name="location",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="entities",
                to="catalog.location",
            ),
        ),
        migrations.AlterField(
            model_name="entity",
            name="namespace",
            field=models.CharField(max_length=63),
        ),
        migrations.AlterField(
            model_name="entity",
            name="owner_ref",
            field=models.CharField(blank=True, max_length=255, verbose_name="owner"),
        ),
        migrations.AlterField(
            model_name="entity",
            name="parent_ref",
            field=models.CharField(blank=True, help_text="The emitting entity.", max_length=255),
        ),
        migrations.AlterField(
            model_name="entity",
            name="spec_type",
            field=models.CharField(blank=True, max_length=255, verbose_name="type"),
        ),
        migrations.AlterField(
            model_name="searchrow",
            name="entity",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="search_rows",
                to="catalog.entity",
            ),
        ),
        migrations.AddIndex(
            model_name="entity",
            index=models.Index(fields=["kind"], name="catalog_entity_kind"),
        ),
        migrations.AddIndex(
            model_name="entity",
            index=models.Index(fields=["namespace"], name="catalog_entity_namespace"),
        ),
        migrations.AddIndex(
            model_name="entity",
            index=models.Index(fields=["spec_type"], name="catalog_entity_spec_type"),
        ),
        migrations.AddIndex(
            model_name="entity",
            index=models.Index(fields=["lifecycle"], name="catalog_entity_lifecycle"),
        ),
        migrations.AddIndex(
            model_name="entity",
            index=models.Index(fields=["owner_ref"], name="catalog_entity_owner_ref"),
        ),
        migrations.AddIndex(
            model_name="entity",
            index=models.Index(fields=["parent_ref"], name="catalog_entity_parent_ref"),
        ),
        migrations.RunPython(_collate_search_columns("C"), _collate_search_columns("default")),
        migrations.RunPython(_compress_json_columns("lz4"), _compress_json_columns("pglz")),
    ]
