"""Ships the guides' appendix playbooks (see playbooks/defaults.py)."""

from django.db import migrations

from supportdesk.playbooks.defaults import fill_shipped_playbooks


def ship(apps, schema_editor):
    fill_shipped_playbooks(apps.get_model("playbooks", "Playbook"))


class Migration(migrations.Migration):
    dependencies = [("playbooks", "0001_playbooks")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
