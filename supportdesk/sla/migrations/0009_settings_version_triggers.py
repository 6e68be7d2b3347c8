"""The SLA settings' version row and the triggers that change it (``SettingsVersion``).

Triggers, not Django signals: bulk inserts (``fill_holidays``), queryset updates, other
processes and SQL typed by hand all change the token too. SQLite has row triggers only;
PostgreSQL fires once per statement, truncation included (the test suite's flush).
"""

from django.db import migrations, models

TABLES = ("sla_slapolicy", "sla_businesscalendar", "sla_workingspan", "sla_calendarday")

PG_UP = """
CREATE OR REPLACE FUNCTION sla_settings_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO sla_settingsversion (id, token) VALUES (1, (random() * 9e15)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER sla_settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t} "
    "FOR EACH STATEMENT EXECUTE FUNCTION sla_settings_changed();\n"
    for t in TABLES
)
PG_DOWN = "".join(f"DROP TRIGGER IF EXISTS sla_settings_changed ON {t};\n" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS sla_settings_changed();"
)
SQLITE_UP = [
    f"CREATE TRIGGER sla_settings_changed_{t}_{op.lower()} AFTER {op} ON {t} BEGIN "
    "INSERT OR REPLACE INTO sla_settingsversion (id, token) VALUES (1, random()); END;"
    for t in TABLES
    for op in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS sla_settings_changed_{t}_{op.lower()};"
    for t in TABLES
    for op in ("INSERT", "UPDATE", "DELETE")
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)
        schema_editor.execute("INSERT INTO sla_settingsversion (id, token) VALUES (1, (random() * 9e15)::bigint)")
    else:
        for sql in SQLITE_UP:
            schema_editor.execute(sql)
        schema_editor.execute("INSERT INTO sla_settingsversion (id, token) VALUES (1, random())")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    else:
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0008_fewer_clock_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SettingsVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("token", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
