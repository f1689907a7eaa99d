"""Bulk writes for seed_scale: COPY into PostgreSQL with explicit ids, and the clean-up around it."""

from __future__ import annotations

import datetime
import io
from contextlib import contextmanager

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection

CHUNK = 200_000
# Filled by migrate, not by the project: a reset keeps them.
KEPT_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
KEPT_PREFIXES = ("django_celery_beat_",)


def _text(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _escaped(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return _text(text)
    return text


# By exact type, the common cases without a chain of tests (a million rows, twenty fields each).
_FAST = {
    type(None): lambda value: r"\N",
    bool: lambda value: "t" if value else "f",
    int: int.__str__,
    str: _escaped,
    datetime.datetime: datetime.datetime.isoformat,
    datetime.date: datetime.date.isoformat,
}


def _learn(value) -> str:
    """Another type (a choices enum, a Decimal): formatted the slow way, its str-like kinds remembered."""
    if isinstance(value, str) and not isinstance(value, bool):
        _FAST[type(value)] = lambda member: _escaped(str(member))
    return _text(value)


class Copier:
    """COPY rows of a model (tuples in the order of `fields`, attnames) in chunks."""

    def __init__(self, model, fields):
        self.table = model._meta.db_table
        self.columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in fields)
        self.buffer = io.StringIO()
        self.pending = 0
        self.count = 0

    def add(self, row) -> None:
        fast = _FAST
        self.buffer.write("\t".join([fast.get(type(value), _learn)(value) for value in row]))
        self.buffer.write("\n")
        self.pending += 1
        if self.pending >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {self.table} ({self.columns}) FROM STDIN", self.buffer)
        self.count += self.pending
        self.buffer, self.pending = io.StringIO(), 0


def copy_rows(model, fields, rows) -> int:
    copier = Copier(model, fields)
    for row in rows:
        copier.add(row)
    copier.flush()
    return copier.count


def project_tables() -> list[str]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return sorted(t for t in tables if t not in KEPT_TABLES and not t.startswith(KEPT_PREFIXES))


def truncate_project_tables() -> None:
    tables = ", ".join(connection.ops.quote_name(t) for t in project_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def reset_sequences() -> None:
    """Ids were written explicitly: the sequences must start after them."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in set(project_tables())]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def analyze(models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextmanager
def without_indexes(models):
    """Drop the tables' secondary indexes and unique constraints while a million rows are copied
    in, and build them once afterwards: much faster than updating them row by row."""
    dropped = []
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
            indexes = cursor.fetchall()
            quoted = connection.ops.quote_name(table)
            for name, definition in constraints:
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
                dropped.append(f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
            for name, definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                dropped.append(definition)
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in dropped:
            cursor.execute(statement)
