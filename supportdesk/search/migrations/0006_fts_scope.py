"""SQLite: a fourth FTS5 column, ``scope_tokens``, naming who may find each document.

A customer may find public articles and their own organization's tickets: a few thousand
documents among a million. Starting from the words' matches and dropping what the customer
may not see walks every match of a common word (seconds at a million tickets); asking FTS5 for
the words AND the customer's scope tokens lets it skip through the short scope lists instead.

The column is computed, not stored: FTS5 reads its content through a view over the document
table, and the triggers compute it from ``organization_id`` and ``is_public`` (tokens
``zzorg<id>`` and ``zzpublic``). It is ranked with weight 0, so it never changes a score.
PostgreSQL needs none of this (a B-tree index, 0005, serves the same searches).

As 0002 warns: a later migration that makes Django rebuild search_searchdocument on SQLite
drops these triggers and must run FORWARD again.
"""

from importlib import import_module

from django.db import migrations

_fulltext = import_module("supportdesk.search.migrations.0002_fulltext")

SCOPE = "'zzorg' || IFNULL({t}.organization_id, 0) || CASE WHEN {t}.is_public THEN ' zzpublic' ELSE '' END"
COLUMNS = "title_tokens, body_tokens, gram_tokens, scope_tokens"


def _values(t: str) -> str:
    return f"{t}.title_tokens, {t}.body_tokens, {t}.gram_tokens, {SCOPE.format(t=t)}"


FORWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
    "CREATE VIEW search_fts_source AS SELECT d.id, d.title_tokens, d.body_tokens, "
    f"d.gram_tokens, {SCOPE.format(t='d')} AS scope_tokens FROM search_searchdocument d",
    f"""CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS},
        content='search_fts_source', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    f"""CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.id, {_values("new")});
    END""",
    f"""CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, {_values("old")});
    END""",
    f"""CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, {_values("old")});
        INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.id, {_values("new")});
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
    "DROP VIEW IF EXISTS search_fts_source",
    *_fulltext.SQLITE_FORWARD,
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_kind_org_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
