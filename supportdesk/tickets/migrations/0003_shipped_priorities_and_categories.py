"""Fills the shipped priority scheme and categories (see ``tickets.defaults``)."""

from django.db import migrations

from supportdesk.tickets.defaults import fill_shipped_scheme


def forwards(apps, schema_editor):
    fill_shipped_scheme(apps.get_model("tickets", "Priority"), apps.get_model("tickets", "Category"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_timeline_append_only_triggers")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
