"""The bench harness: Django set up against the city-scale database, medians, statement counts.

    from harness import setup_django, Bench
    setup_django()
    bench = Bench("pages")
    bench.measure("matrix", lambda: client.get(url), floor_sql="SELECT ...", html=True)
    bench.once("overdue_sweep first run", run_job)
    bench.done()

Each line: label | median ms | queries | KB of HTML | floor ms | ratio (median / floor). The
targets of issue 9 are printed in the header: pages (measures with html=True) at most 150 ms, at
most 3x their floor and at most 1 MB of HTML; a page over one is flagged "over target".
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE_URL = "postgres://postgres@127.0.0.1:5432/duban_scale"
TARGET_MS, TARGET_RATIO, TARGET_KB = 150, 3.0, 1024


def setup_django():
    """Django on duban_scale (unless DATABASE_URL says otherwise), DEBUG off as in production."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DATABASE_URL", SCALE_URL)
    # DEBUG on would keep every statement in memory and render debug pages: not what users get.
    os.environ["DEBUG"] = "0"
    # WhiteNoise warns that collectstatic has not run: pages are measured without their assets.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    import logging

    from django.conf import settings

    # django-axes logs every login and logout at INFO: the benches log in hundreds of times.
    logging.getLogger("axes").setLevel(logging.WARNING)

    # django.test.Client asks as "testserver".
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _timed(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = fn()
        ms = (time.perf_counter() - start) * 1000
    return ms, len(ctx.captured_queries), result


def _floor_run(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.description is not None:
            cursor.fetchall()


def _size(result):
    content = getattr(result, "content", None)
    if content is None and hasattr(result, "streaming_content"):
        content = b"".join(result.streaming_content)
    return len(content or b"")


class Bench:
    HEAD = f"{'what':<52} {'median ms':>10} {'queries':>8} {'KB':>8} {'floor ms':>9} {'ratio':>7}"

    def __init__(self, name):
        self.name = name
        self.rows = []
        from django.db import connection

        print(f"# bench {name} on {connection.settings_dict.get('NAME')} ({connection.vendor})")
        print(
            f"# targets: pages <= {TARGET_MS} ms, <= {TARGET_RATIO:g}x their floor (one SQL) and <= {TARGET_KB} KB;"
            " queries constant as the data grows"
        )
        print(self.HEAD)
        print("-" * len(self.HEAD))
        sys.stdout.flush()

    def measure(self, label, fn, *, floor_sql=None, floor_params=(), repeat=7, html=False):
        """Runs fn() repeat times after one warm-up; the median ms and the statements of a run."""
        _timed(fn)  # warm-up: caches, connection, prepared plans
        runs = [_timed(fn) for _ in range(max(1, repeat))]
        median = statistics.median(ms for ms, _, _ in runs)
        queries = runs[-1][1]
        size = _size(runs[-1][2]) if html else None
        status = getattr(runs[-1][2], "status_code", None)
        floor = None
        if floor_sql is not None:
            _floor_run(floor_sql, floor_params)
            floors = []
            for _ in range(max(1, repeat)):
                start = time.perf_counter()
                _floor_run(floor_sql, floor_params)
                floors.append((time.perf_counter() - start) * 1000)
            floor = statistics.median(floors)
        self._line(label, median, queries, size, floor, status, page=html)
        return median

    def once(self, label, fn):
        """One timed run (a job's first run, then its re-run) with its statement count."""
        ms, queries, result = _timed(fn)
        self._line(label, ms, queries, None, None, getattr(result, "status_code", None))
        return ms

    def _line(self, label, ms, queries, size, floor, status=None, page=False):
        ratio = ms / floor if floor else None
        flags = []
        if status is not None and status != 200:
            flags.append(f"HTTP {status}")
        over = page and (ms > TARGET_MS or (ratio is not None and ratio > TARGET_RATIO) or size > TARGET_KB * 1024)
        if over:
            flags.append("over target")
        self.rows.append((label, ms, queries, size, floor, ratio, over))
        print(
            f"{label[:52]:<52} {ms:>10.1f} {queries:>8} "
            f"{(f'{size / 1024:.0f}' if size is not None else '-'):>8} "
            f"{(f'{floor:.1f}' if floor is not None else '-'):>9} "
            f"{(f'{ratio:.1f}x' if ratio is not None else '-'):>7}" + (f"  {', '.join(flags)}" if flags else "")
        )
        sys.stdout.flush()

    def done(self):
        print("-" * len(self.HEAD))
        over = [row[0] for row in self.rows if row[-1]]
        print(f"# {len(self.rows)} measured; over target: {', '.join(over) if over else 'none'}")
        sys.stdout.flush()


class Rollback(Exception):
    """Raised at the end of a bench's transaction (and caught around it) to roll its writes back:
    duban_scale stays as seeded."""


def one(sql, params=()):
    """The first row of one hand-written SQL (the floors, and picking who to measure)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
