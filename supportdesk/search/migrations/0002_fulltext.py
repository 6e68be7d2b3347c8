"""The full-text structures for the database in use (the token columns are in 0001).

SQLite: an FTS5 table with the document table as external content, kept in sync by
triggers. PostgreSQL: generated tsvector columns (words: title A, body B; character grams) with
GIN indexes. Tokens are pre-segmented by ``search.analysis`` and punctuation inside them is
encoded, so each engine's own tokenizer only splits on the spaces we put there.

On SQLite, Django applies most later schema changes to search_searchdocument by rebuilding
the table, which drops these triggers: a later migration that alters that table must run
SQLITE_FORWARD's triggers again (then ``supportdesk reindex``).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_tokens, body_tokens, gram_tokens,
        content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_tokens, body_tokens, gram_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens, new.gram_tokens);
    END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens, gram_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.gram_tokens);
    END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens, gram_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.gram_tokens);
        INSERT INTO search_fts(rowid, title_tokens, body_tokens, gram_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens, new.gram_tokens);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_FORWARD = [
    # Words and grams in separate columns: a query against either needs no weight filter,
    # so the GIN index answers it without rechecking every candidate row.
    """ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')) STORED""",
    """ALTER TABLE search_searchdocument ADD COLUMN tsv_grams tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, gram_tokens)) STORED""",
    "CREATE INDEX search_doc_tsv ON search_searchdocument USING GIN (tsv)",
    "CREATE INDEX search_doc_tsv_grams ON search_searchdocument USING GIN (tsv_grams)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_tsv_grams",
    "DROP INDEX IF EXISTS search_doc_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv_grams",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_documents")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
