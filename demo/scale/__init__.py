"""City scale for benchmarks (manage.py seed_scale): units, people, campaigns, tasks, grants,
about a million reports and the reporting ledger, written with COPY on PostgreSQL."""

from .build import build, refuse_reason

__all__ = ["build", "refuse_reason"]
