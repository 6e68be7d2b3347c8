"""Ships the data-collection templates (see playbooks/defaults.py)."""

from django.db import migrations

from supportdesk.playbooks.defaults import fill_shipped_data_requests


def ship(apps, schema_editor):
    fill_shipped_data_requests(apps.get_model("playbooks", "DataRequestTemplate"))


class Migration(migrations.Migration):
    dependencies = [("playbooks", "0003_data_request_templates")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
