"""Stamps the index with the version of the text analysis that built it.

Every index that exists before this migration was built by Python jieba, analyzer version 1;
the code now segments with jieba-rs (version 2), so such an index is reported stale until
``supportdesk reindex`` rebuilds it. A new install's state row is created later, by the code
that indexes its first document, with the code's own version.
"""

from django.db import migrations, models

import supportdesk.search.analysis


def stamp_existing(apps, schema_editor):
    apps.get_model("search", "IndexState").objects.update(analyzer=1)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_fts_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="indexstate",
            name="analyzer",
            field=models.PositiveIntegerField(
                default=supportdesk.search.analysis.analyzer_version
            ),
        ),
        migrations.RunPython(stamp_existing, migrations.RunPython.noop),
    ]
