"""Inserting many rows at once on PostgreSQL, skipping those whose unique key exists already."""

from __future__ import annotations

from django.db import connection


def insert_new(table: str, columns: dict[str, tuple[str, list]], *, key: str = "key") -> dict:
    """INSERT … SELECT FROM unnest(one array per column) ON CONFLICT (key) DO NOTHING, in one
    statement however many rows, with no model instance per row (what the jobs' thousands of
    notifications and notices would cost through the ORM). `columns`: name → (PostgreSQL type,
    values). Returns {key: id} of the rows inserted now: a key inserted meanwhile by a parallel
    run is skipped by the database and not returned, so each run counts only its own."""
    arrays = ", ".join(f"%s::{kind}[]" for kind, _values in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}, id",
            [values for _kind, values in columns.values()],
        )
        return dict(cursor.fetchall())
