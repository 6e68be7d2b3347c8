"""Ships the guides' canned replies (see knowledge/canned_defaults.py) into an empty table."""

from django.db import migrations

from supportdesk.knowledge.canned_defaults import fill_shipped_canned_replies


def ship(apps, schema_editor):
    fill_shipped_canned_replies(apps.get_model("knowledge", "CannedReply"))


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0005_canned_replies")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
