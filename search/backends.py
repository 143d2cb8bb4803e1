"""The database's own full-text machinery behind one interface.

PostgreSQL: a ``tsvector`` column (explicit positions, one per token, gaps left out) with a
GIN index; a term is a ``tsquery`` phrase (``'张氏' <1> '氏族'``). SQLite: an FTS5 table over
the rows' ``tokens`` (external content, kept by triggers, so a row deleted by a cascade
leaves the index too); a term is an FTS5 phrase, gaps included. Both answer a term with the
pages holding it and a score that grows with the hits on the page.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

from search.query import Term
from search.tokens import GAP

CHUNKS = "search_pagechunk"

POSTGRES_SETUP = [
    # Positions from the token's place in the stream; the gap tokens only leave a hole.
    f"""
    CREATE OR REPLACE FUNCTION search_tsvector(tokens text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(string_agg('''' || t || ''':' || n, ' ')::tsvector, ''::tsvector)
        FROM unnest(string_to_array(tokens, ' ')) WITH ORDINALITY AS u(t, n)
        WHERE t <> E'\\u{ord(GAP):04X}' AND t <> ''
    $$
    """,
    f"ALTER TABLE {CHUNKS} ADD COLUMN tsv tsvector NOT NULL DEFAULT ''",
    f"CREATE INDEX search_pagechunk_tsv ON {CHUNKS} USING gin (tsv)",
]
POSTGRES_TEARDOWN = [
    "DROP INDEX IF EXISTS search_pagechunk_tsv",
    f"ALTER TABLE {CHUNKS} DROP COLUMN IF EXISTS tsv",
    "DROP FUNCTION IF EXISTS search_tsvector(text)",
]

SQLITE_SETUP = [
    # Letters, digits and private-use characters (the gap and character marks) are tokens;
    # diacritics are kept (folding decided what matches already).
    f"""CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='{CHUNKS}',
        content_rowid='id', tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co'")""",
    f"""CREATE TRIGGER search_pagechunk_ai AFTER INSERT ON {CHUNKS} BEGIN
        INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END""",
    f"""CREATE TRIGGER search_pagechunk_ad AFTER DELETE ON {CHUNKS} BEGIN
        INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
        END""",
    f"""CREATE TRIGGER search_pagechunk_au AFTER UPDATE ON {CHUNKS} BEGIN
        INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
        INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END""",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS search_pagechunk_au",
    "DROP TRIGGER IF EXISTS search_pagechunk_ad",
    "DROP TRIGGER IF EXISTS search_pagechunk_ai",
    "DROP TABLE IF EXISTS search_fts",
]


@dataclass(frozen=True)
class Row:
    page_id: int
    source: str
    number: int
    corrected: bool
    tokens: str


class _Backend:
    tokens_columns: str
    tokens_values: str

    def insert(self, cursor, rows: list[Row]) -> None:
        cursor.executemany(
            f"INSERT INTO {CHUNKS} (page_id, source, number, corrected, {self.tokens_columns}) "
            f"VALUES (%s, %s, %s, %s, {self.tokens_values})",
            [(r.page_id, r.source, r.number, r.corrected, r.tokens) for r in rows],
        )


class Postgres(_Backend):
    setup, teardown = POSTGRES_SETUP, POSTGRES_TEARDOWN

    tokens_columns = "tokens, tsv"
    tokens_values = "'', search_tsvector(%s)"  # the stream goes into the tsvector only

    @staticmethod
    def expression(term: Term) -> str:
        parts = []
        previous = None
        for unit in term.units:
            if unit.token == GAP:
                continue
            lexeme = f"'{unit.token}'" + (":*" if unit.prefix else "")
            if previous is not None:
                parts.append(f"<{unit.offset - previous}>")
            parts.append(lexeme)
            previous = unit.offset
        return " ".join(parts)

    @contextmanager
    def planned(self, cursor):
        """The GIN index, also for a word on most pages: the planner's seq scan would read
        (and decompress) every row's tsvector, 148 ms against 6 ms at 1M lines."""
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")

    def term_rows(self, term: Term, *, scored: bool) -> tuple[str, list]:
        """SQL for the chunk rows holding the term: (page_id, source, corrected, score)."""
        score = "ts_rank(tsv, q)" if scored else "0"
        return (
            f"SELECT page_id, source, corrected, {score} AS score "
            f"FROM {CHUNKS}, CAST(%s AS tsquery) AS q WHERE tsv @@ q",
            [self.expression(term)],
        )

    def size(self, cursor) -> dict[str, int]:
        cursor.execute(f"SELECT pg_total_relation_size('{CHUNKS}')")
        return {"index_bytes": cursor.fetchone()[0]}


class Sqlite(_Backend):
    setup, teardown = SQLITE_SETUP, SQLITE_TEARDOWN

    tokens_columns = "tokens"
    tokens_values = "%s"

    @staticmethod
    def expression(term: Term) -> str:
        tokens = " ".join(unit.token for unit in term.units)
        return f'"{tokens}"' + (" *" if term.units[-1].prefix else "")

    @contextmanager
    def planned(self, cursor):
        yield

    def term_rows(self, term: Term, *, scored: bool) -> tuple[str, list]:
        # bm25 is lower for better matches; negated so that higher is better everywhere.
        score = "-bm25(search_fts)" if scored else "0"
        return (
            # LIMIT -1 keeps the FTS5 query a subquery of its own (bm25 needs that).
            "SELECT c.page_id, c.source, c.corrected, f.score FROM (SELECT rowid AS id, "
            f"{score} AS score FROM search_fts WHERE search_fts MATCH %s LIMIT -1) f "
            f"JOIN {CHUNKS} c ON c.id = f.id",
            [f"tokens : {self.expression(term)}"],
        )

    def size(self, cursor) -> dict[str, int]:
        cursor.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_fts%' OR name = %s",
            [CHUNKS],
        )
        return {"index_bytes": cursor.fetchone()[0] or 0}


def current():
    return Postgres() if connection.vendor == "postgresql" else Sqlite()


def set_up(schema_editor) -> None:
    backend = Postgres() if schema_editor.connection.vendor == "postgresql" else Sqlite()
    for statement in backend.setup:
        schema_editor.execute(statement)


def tear_down(schema_editor) -> None:
    backend = Postgres() if schema_editor.connection.vendor == "postgresql" else Sqlite()
    for statement in backend.teardown:
        schema_editor.execute(statement)
