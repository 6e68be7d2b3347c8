"""Adds the channel targets (R-SL-1): phone answered in 60 s, email in 4 working hours."""

from django.db import migrations


def forwards(apps, schema_editor):
    from supportdesk.sla.defaults import fill_channel_policies

    fill_channel_policies(
        apps.get_model("sla", "BusinessCalendar"),
        apps.get_model("sla", "SlaPolicy"),
        apps.get_model("tickets", "Priority"),
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0004_emergency_procedure")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
