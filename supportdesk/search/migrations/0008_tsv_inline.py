"""PostgreSQL: keep each document's word ``tsvector`` in its row (storage MAIN).

An agent's search of a common word walks the newest documents and tests ``tsv @@ query`` on
each (``backends.PostgresBackend._match``). A document row over ~2 KB (articles: body, tokens
and character grams) had its ``tsv`` moved out of line to the TOAST table, so every test
read two or three more pages: 10,000 articles at the top of the index took 60-85 ms of such a
scan at 1,000,000 tickets, 20 ms with ``tsv`` in the row. With MAIN, the other wide columns
(body, grams) are compressed or moved out first.

It applies to rows written from now on; ``supportdesk reindex`` rewrites the existing ones.
SQLite: nothing to do (FTS5 keeps its own index).
"""

from django.db import migrations

FORWARD = "ALTER TABLE search_searchdocument ALTER COLUMN tsv SET STORAGE MAIN"
BACKWARD = "ALTER TABLE search_searchdocument ALTER COLUMN tsv SET STORAGE EXTENDED"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0007_analyzer_stamp")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
