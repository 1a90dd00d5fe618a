"""search: documents indexed by their words as ICU segments them (Thai, Lao, Khmer,
Burmese and the rest), on SQLite and PostgreSQL alike; existing documents segmented
again and their full-text indexes rebuilt

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 00:00:00

The full-text engines no longer find words themselves (SQLite ``unicode61`` and
PostgreSQL's ``simple`` parser cut only at spaces and punctuation, so a Thai word
was never found inside a Thai sentence): ``search_document.terms`` holds the words
found by ``eocnet.domain.search_text.index_terms``, folded, one space apart, and the
engines split there only (FTS5 ``ascii`` tokenizer; ``array_to_tsvector`` of
``string_to_array``). Documents of the kinds indexed since (advisories, fact checks,
risk assessments, laboratories, coordination records) are added by ``eocnet db
upgrade``, which runs ``actions.search_backfill.reindex`` after the migrations.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from eocnet.domain import search_text

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_TRIGGERS = ("search_document_ai", "search_document_ad", "search_document_au")


def _segment_existing() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, title, body FROM search_document")).all()
    update = sa.text("UPDATE search_document SET terms = :terms, segmenter = :seg WHERE id = :id")
    for start in range(0, len(rows), 500):
        bind.execute(
            update,
            [
                {
                    "id": r.id,
                    "terms": search_text.index_terms(r.title, r.body),
                    "seg": search_text.SEGMENTER,
                }
                for r in rows[start : start + 500]
            ],
        )


def _add_columns() -> None:
    op.add_column(
        "search_document", sa.Column("terms", sa.Text(), server_default="", nullable=False)
    )
    op.add_column(
        "search_document",
        sa.Column("segmenter", sa.String(length=40), server_default="", nullable=False),
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
        _add_columns()
        _segment_existing()
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(terms, "
            "content='search_document', content_rowid='id', tokenize='ascii')"
        )
        op.execute(
            "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
            "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END"
        )
        op.execute(
            "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, terms) "
            "VALUES ('delete', old.id, old.terms); END"
        )
        op.execute(
            "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, terms) "
            "VALUES ('delete', old.id, old.terms); "
            "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END"
        )
        op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_document_tsv")
        op.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS tsv")
        _add_columns()
        _segment_existing()
        op.execute(
            "ALTER TABLE search_document ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
            "(array_to_tsvector(string_to_array(terms, ' '))) STORED"
        )
        op.execute("CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.drop_column("search_document", "segmenter")
        op.drop_column("search_document", "terms")
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, "
            "content='search_document', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
            "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
        )
        op.execute(
            "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, title, body) "
            "VALUES ('delete', old.id, old.title, old.body); END"
        )
        op.execute(
            "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, title, body) "
            "VALUES ('delete', old.id, old.title, old.body); "
            "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
        )
        op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_document_tsv")
        op.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS tsv")
        op.drop_column("search_document", "segmenter")
        op.drop_column("search_document", "terms")
        op.execute(
            "ALTER TABLE search_document ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(body, ''))) STORED"
        )
        op.execute("CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)")
