# The catalog version: one row moved by triggers whenever entities are written, read to key cached results.
#
# PostgreSQL: a deferred constraint trigger, so the row is touched once per transaction, at commit; writers
# never hold its lock while they work. Until then the writing transaction marks itself in a local setting.
# SQLite serialises writers anyway: plain row triggers.
# Versions jump to the current time in microseconds when that is larger, so a version is never reused after
# a rollback or a truncated table (tests do both).

from django.db import migrations, models

NOW_MICROSECONDS = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
POSTGRES = f"""
CREATE OR REPLACE FUNCTION catalog_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('greenroom.catalog_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('greenroom.catalog_bumped', txid_current()::text, true);
        INSERT INTO catalog_catalogversion (id, version) VALUES (1, {NOW_MICROSECONDS})
        ON CONFLICT (id) DO UPDATE SET version = GREATEST(catalog_catalogversion.version + 1, {NOW_MICROSECONDS});
    END IF;
    RETURN NULL;
END
$$;
-- Marks the writing transaction itself, so that it never reads results cached before its own writes.
CREATE OR REPLACE FUNCTION catalog_note_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('greenroom.catalog_local', {NOW_MICROSECONDS}::text, true);
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER catalog_entity_bumps_version
    AFTER INSERT OR UPDATE OR DELETE ON catalog_entity
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_bump_version();
CREATE TRIGGER catalog_entity_truncate_bumps_version
    AFTER TRUNCATE ON catalog_entity FOR EACH STATEMENT EXECUTE FUNCTION catalog_bump_version();
CREATE TRIGGER catalog_entity_notes_write
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalog_entity
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_note_write();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS catalog_entity_bumps_version ON catalog_entity;
DROP TRIGGER IF EXISTS catalog_entity_truncate_bumps_version ON catalog_entity;
DROP TRIGGER IF EXISTS catalog_entity_notes_write ON catalog_entity;
DROP FUNCTION IF EXISTS catalog_bump_version();
DROP FUNCTION IF EXISTS catalog_note_write();
"""

SQLITE_BUMP = """
INSERT INTO catalog_catalogversion (id, version)
VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER))
ON CONFLICT (id) DO UPDATE SET version = MAX(
    version + 1, CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)
);
"""
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES)
        elif connection.vendor == "sqlite":
            for event in SQLITE_EVENTS:
                cursor.execute(
                    f"CREATE TRIGGER catalog_entity_bumps_version_{event.lower()} AFTER {event} "
                    f"ON catalog_entity BEGIN {SQLITE_BUMP} END"
                )
        else:
            raise NotImplementedError(f"No catalog version triggers for {connection.vendor}")


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_REVERSE)
        else:
            for event in SQLITE_EVENTS:
                cursor.execute(f"DROP TRIGGER IF EXISTS catalog_entity_bumps_version_{event.lower()}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_merge_ingest_and_admin")]

    operations = [
        migrations.CreateModel(
            name="CatalogVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField(default=1)),
            ],
            options={"verbose_name": "catalog version"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
