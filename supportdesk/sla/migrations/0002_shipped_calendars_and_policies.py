"""Creates the "中国大陆工作日" and 7×24 calendars and one SLA policy per priority."""

from django.db import migrations


def forwards(apps, schema_editor):
    from supportdesk.sla.defaults import fill_shipped_sla

    fill_shipped_sla(
        apps.get_model("sla", "BusinessCalendar"),
        apps.get_model("sla", "WorkingSpan"),
        apps.get_model("sla", "CalendarDay"),
        apps.get_model("sla", "SlaPolicy"),
        apps.get_model("tickets", "Priority"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_calendars_policies_clocks"),
        ("tickets", "0003_shipped_priorities_and_categories"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
