"""Database triggers that refuse UPDATE (both backends) and DELETE (PostgreSQL) of timeline
events, so even SQL run outside the product cannot silently rewrite a ticket's history.

SQLite keeps DELETE open at the database level because Django's test flush and data
erasure run DELETE on it; the product itself refuses deletes in the model layer and the
hash chain makes any removal detectable.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION tickets_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ticket events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tickets_event_no_update BEFORE UPDATE ON tickets_ticketevent
    FOR EACH ROW EXECUTE FUNCTION tickets_event_append_only();
CREATE TRIGGER tickets_event_no_delete BEFORE DELETE ON tickets_ticketevent
    FOR EACH ROW EXECUTE FUNCTION tickets_event_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS tickets_event_no_update ON tickets_ticketevent;
DROP TRIGGER IF EXISTS tickets_event_no_delete ON tickets_ticketevent;
DROP FUNCTION IF EXISTS tickets_event_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER tickets_event_no_update BEFORE UPDATE ON tickets_ticketevent
BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS tickets_event_no_update;"


def forwards(apps, schema_editor):
    sql = PG_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    else:
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
