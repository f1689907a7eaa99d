"""Going away: the world and the assign helper live in tests/conftest.py (fixtures `world`,
`assign`); kept only while tests/accounts/test_access.py still imports them from here."""

from tasks.assignments import assignment_add
from tests.conftest import world  # noqa: F401


def assign(task, unit, role="lead"):
    assignment_add(task=task, unit=unit, role=role)
