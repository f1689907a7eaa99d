"""Shared test machinery: skip-or-fail on missing services, and a logged-in client helper.

Markers (registered in pytest.ini):
- ``postgres``: skipped when the suite runs on another database (a legitimate skip, even in CI's
  SQLite pass). When DATABASE_URL points at PostgreSQL and the server is down, pytest-django
  fails to create the test database, so the run fails anyway.
- ``redis``: needs a Redis server at REDIS_URL (default redis://127.0.0.1:6379/15).
- ``browser``: needs Chromium and the ``playwright`` package.

A missing Redis or browser skips the test, unless DUBAN_REQUIRE_SERVICES=1 (as in CI): then the
test fails, so a broken machine cannot pass by skipping everything.
"""

import contextlib
import datetime
import functools
import importlib.util
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
POSTGRES_REASON = "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban"


def services_required() -> bool:
    """True when a missing service must fail the test instead of skipping it."""
    return os.environ.get("DUBAN_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}


def require_service(name: str, reason: str | None) -> None:
    """Skip the running test because ``name`` is unavailable (``reason`` says why), or fail it
    under DUBAN_REQUIRE_SERVICES=1. A ``reason`` of None means the service is there: no-op."""
    if not reason:
        return
    if services_required():
        pytest.fail(f"{name} is required (DUBAN_REQUIRE_SERVICES=1): {reason}", pytrace=False)
    pytest.skip(reason)


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


@functools.cache
def redis_unavailable_reason(url: str | None = None, timeout: float = 1.0) -> str | None:
    """None when something accepts connections at the Redis URL, else a reason to skip.
    Checked once per URL and process (each xdist worker checks once)."""
    url = url or redis_url()
    parts = urlsplit(url)
    try:
        if parts.scheme == "unix":
            where = parts.path
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                sock.connect(parts.path)
        else:
            host, port = parts.hostname or "127.0.0.1", parts.port or 6379
            where = f"{host}:{port}"
            socket.create_connection((host, port), timeout=timeout).close()
    except ValueError as exc:  # e.g. a port out of range
        return f"needs Redis: bad REDIS_URL {url!r} ({exc})"
    except OSError as exc:
        return f"needs Redis at {where} ({exc}): start it or set REDIS_URL"
    return None


def chromium_executable() -> str | None:
    path = shutil.which("chromium")
    if path:
        return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def browser_unavailable_reason() -> str | None:
    """None when Chromium and the playwright package are both there, else a reason to skip."""
    missing = []
    if chromium_executable() is None:
        missing.append("Chromium (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (pip install playwright)")
    return f"needs {' and '.join(missing)}" if missing else None


def postgres_unavailable_reason() -> str | None:
    """None when the suite runs on PostgreSQL. Reading the vendor does not connect."""
    return None if connection.vendor == "postgresql" else POSTGRES_REASON


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Apply the service markers before any fixture (database included) is set up."""
    if item.get_closest_marker("postgres"):
        reason = postgres_unavailable_reason()
        if reason:
            # Another database was chosen on purpose: a skip, even under DUBAN_REQUIRE_SERVICES.
            pytest.skip(reason)
    if item.get_closest_marker("redis"):
        require_service("Redis", redis_unavailable_reason(redis_url()))
    if item.get_closest_marker("browser"):
        require_service("Browser", browser_unavailable_reason())


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    where = "test DB in memory"
    if connection.vendor == "postgresql":
        where = f"{db.get('HOST')}:{db.get('PORT') or 5432}"
    return [
        f"duban: database {connection.vendor} ({where}), REDIS_URL {redis_url()}, "
        f"DUBAN_REQUIRE_SERVICES={'1' if services_required() else '0'}"
    ]


@pytest.fixture(name="redis_url")
def redis_url_fixture() -> str:
    """The Redis URL a ``redis``-marked test should use."""
    return redis_url()


@pytest.fixture(name="chromium_executable")
def chromium_executable_fixture() -> str | None:
    """Path of the Chromium binary, for ``browser``-marked tests (launch(executable_path=...))."""
    return chromium_executable()


@pytest.fixture
def login(db):
    """``login(user)`` returns a django.test.Client signed in as ``user`` (no password needed).
    Pass ``client=`` to sign in an existing client instead of a new one."""

    def _login(user, client: Client | None = None) -> Client:
        client = client or Client()
        client.force_login(user)
        return client

    return _login


# ---------------------------------------------------------------------------------------------
# Domain fixtures (users, units, campaigns, tasks...) go below this line. Build objects with the
# factories in tests/factories.py.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def unit_directory(db):
    """The shared unit directory (28 units, 3 groups), imported as the office would."""
    from units.importing import import_unit_directory

    from .sheets import UNITS

    import_unit_directory(UNITS.read_bytes(), filename=UNITS.name)


@pytest.fixture
def office(client):
    """A supervision-office user, signed in on the test's `client`."""
    from units.models import Membership

    from .factories import MembershipFactory

    user = MembershipFactory(role=Membership.Role.OFFICE).user
    client.force_login(user)
    return user


def assign_unit(task, unit, role="lead"):
    """What the ``assign`` fixture returns, for builders that run outside a test (a module's world)."""
    from tasks.assignments import assignment_add

    # As on a campaign's first import: the unit owes from the campaign's first period.
    return assignment_add(task=task, unit=unit, role=role, from_first_period=True)


@pytest.fixture
def assign(db):
    """``assign(task, unit, role="lead")`` puts a unit on a task and grants the task's object
    permissions to the unit's group, as the import and the admin do (tasks.assignments)."""
    return assign_unit


def add_member(unit, role="liaison", **user_fields):
    """What the ``member`` fixture returns, for builders that run outside a test (a module's world)."""
    from units.services import membership_add

    from .factories import UserFactory

    user = UserFactory(**user_fields)
    membership_add(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def member(db):
    """``member(unit, role="liaison")`` returns a new user who is liaison (or head, or office
    staff) of the unit, joined through units.services so the unit's group includes them."""
    return add_member


@dataclass
class World:
    campaign: object
    task: object
    lead: object
    support: object
    other: object
    lead_liaison: object
    lead_head: object
    support_liaison: object
    other_liaison: object
    office: object
    leader: object
    outsider: object
    period: object
    previous_period: object


@pytest.fixture
def world(db, assign, member):
    """A small reporting world at fixed dates: one campaign (Monday 2 March … 31 December 2026,
    weekly periods due Friday 18:00) in its fourth week, a task with a lead and a supporting unit,
    their liaisons and the lead's head, an office user, a leader and an outsider. ``reporting`` is
    the same kind of world around today."""
    from campaigns.services import ensure_reporting_periods
    from units.models import Membership

    from .factories import CampaignFactory, LeaderFactory, TaskFactory, UnitFactory, UserFactory

    campaign = CampaignFactory(start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 12, 31))
    ensure_reporting_periods(campaign)
    task = TaskFactory(campaign=campaign, number="1", deadline=datetime.date(2026, 10, 31))
    lead, support, other = (
        UnitFactory(name="区发展和改革局"),
        UnitFactory(name="区财政局"),
        UnitFactory(name="区审计局"),
    )
    assign(task, lead, "lead")
    assign(task, support, "support")
    # `other` reports on another task of the same campaign: it sees the campaign, not this task's reports.
    assign(TaskFactory(campaign=campaign, number="2"), other)
    office_unit = UnitFactory(name="区委区政府督查室")
    leader_user = UserFactory()
    LeaderFactory(user=leader_user)
    return World(
        campaign=campaign,
        task=task,
        lead=lead,
        support=support,
        other=other,
        lead_liaison=member(lead),
        lead_head=member(lead, Membership.Role.HEAD),
        support_liaison=member(support),
        other_liaison=member(other),
        office=member(office_unit, Membership.Role.OFFICE),
        leader=leader_user,
        outsider=UserFactory(),
        period=campaign.periods.get(number=4),  # 23–27 March, due Friday 27 March 18:00
        previous_period=campaign.periods.get(number=3),
    )


@pytest.fixture
def reporting(db, assign, member):
    """A campaign that runs around today, with weekly periods (due Friday 18:00), and its people.

    Task 1 is led by 区发展和改革局 (`lead`) with 区财政局 supporting (`support`); task 2 is
    led by 区审计局 (`other`), which therefore sees the campaign but not task 1's reports.
    `period` is the current period, `past` one whose due moment has passed.
    """
    return build_reporting(assign, member)


def build_reporting(assign=assign_unit, member=add_member):
    """The ``reporting`` world, built by a plain function (a module-scoped world builds it too)."""
    import datetime
    from types import SimpleNamespace

    from django.utils import timezone

    from campaigns.periods import current_period
    from campaigns.services import ensure_reporting_periods
    from units.models import Membership

    from .factories import CampaignFactory, LeaderFactory, TaskFactory, UnitFactory, UserFactory

    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    campaign = CampaignFactory(
        code="efficiency-2026",
        start_date=monday - datetime.timedelta(weeks=8),
        end_date=monday + datetime.timedelta(weeks=12),
    )
    ensure_reporting_periods(campaign)
    task = TaskFactory(
        campaign=campaign, number="1", title="推进重大项目建设", deadline=today + datetime.timedelta(days=60)
    )
    other_task = TaskFactory(
        campaign=campaign, number="2", title="优化营商环境", deadline=today + datetime.timedelta(days=60)
    )
    lead, support, other = (
        UnitFactory(name="区发展和改革局"),
        UnitFactory(name="区财政局"),
        UnitFactory(name="区审计局"),
    )
    assign(task, lead, "lead")
    assign(task, support, "support")
    assign(other_task, other, "lead")
    leader = UserFactory(username="leader")
    LeaderFactory(user=leader)
    period = current_period(campaign)
    return SimpleNamespace(
        campaign=campaign,
        task=task,
        other_task=other_task,
        lead=lead,
        support=support,
        other=other,
        period=period,
        past=campaign.periods.get(number=period.number - 2),
        lead_liaison=member(lead, username="lead_liaison"),
        lead_head=member(lead, Membership.Role.HEAD, username="lead_head"),
        support_liaison=member(support, username="support_liaison"),
        support_head=member(support, Membership.Role.HEAD, username="support_head"),
        other_liaison=member(other, username="other_liaison"),
        office=member(UnitFactory(name="区委区政府督查室"), Membership.Role.OFFICE, username="office"),
        leader=leader,
        outsider=UserFactory(username="outsider"),
    )


SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def at(year, month, day, hour=9, minute=0) -> datetime.datetime:
    """A moment in Asia/Shanghai."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


def load_the_demo():
    """The demo as `make run` loads it, as of Monday 23 November 2026, 09:00."""
    from demo.loader import load_demo

    load_demo(now=at(2026, 11, 23))


def every_database_test_uses(request, fixture: str) -> bool:
    """True when every test of the requesting module-scoped fixture's module that uses the database
    asks for ``fixture``: only then may that module share one world (a test that did not ask for
    it would find it there)."""

    def uses_the_database(item) -> bool:
        return item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & set(item.fixturenames))

    items = [item for item in request.session.items if item.getparent(pytest.Module) is request.node]
    return all(fixture in item.fixturenames for item in items if uses_the_database(item))


@contextlib.contextmanager
def module_transaction(django_db_blocker):
    """A transaction around a whole test module, rolled back when it leaves, for a module-scoped
    fixture that builds a world once for all the module's tests::

        with module_transaction(django_db_blocker):
            with django_db_blocker.unblock():
                built = build()
            yield built

    The next module (on the same xdist worker too) starts from an empty database. Each test still
    runs in its own transaction (a savepoint inside this one), so it finds the world as built,
    whatever the tests before it changed in the database. Python objects the fixture hands out
    are shared, though: reset what a test may change on them (memos on user objects...)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        assert not connection.in_atomic_block, "a module's world is built outside any test's transaction"
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_loaded(request, django_db_setup, django_db_blocker):
    """True when the demo was loaded once for this whole test module: when every test of the module
    that uses the database asks for ``demo`` (a test that did not would find it there).

    The demo is then loaded in a transaction rolled back when the module is done, so the next module
    (on the same xdist worker too) starts from an empty database. Each test still runs in its own
    transaction (a savepoint inside that one), so it sees the demo as loaded whatever the tests
    before it changed. Loading takes 4–10 s: once per test, it was most of the job tests' time.
    """
    if not every_database_test_uses(request, "demo"):
        yield False
        return
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            load_the_demo()
        yield True


@pytest.fixture
def demo(request, demo_loaded, db):
    """The demo as `make run` loads it, as of Monday 23 November 2026, 09:00: loaded once for the
    module when all its database tests use it (``demo_loaded``), else in this test's transaction."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        pytest.fail("a transactional test flushes the database: call demo.loader.load_demo() in the test instead")
    if not demo_loaded:
        load_the_demo()


@pytest.fixture(autouse=True)
def ledger_consistent(request):
    """After every test that uses the database, the reporting ledger must match its sources, and
    its summary per period × unit the obligations summed (tasks.ledger.check.differences), and the
    lights counted per period their weekly rows (lights.weeks.differences): a writer that bypasses the ledger fails the test that uses
    it. Runs before the test's transaction is rolled back (it asks for the database first, so it is
    torn down before it), inside any module's world. ``ledger_unchecked`` marks the few tests
    that write inconsistent rows on purpose."""
    asked = (DB_FIXTURES - {"live_server"}) & set(request.fixturenames)  # live_server alone opens no test database
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(asked)
    if not uses_db or request.node.get_closest_marker("ledger_unchecked"):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    yield
    from lights.weeks import differences as lights_differences
    from tasks.ledger.check import differences

    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        if connection.needs_rollback:  # the test broke its transaction: it failed already
            return
        # The lights' counts per period (lights.weeks) are derived the same way: checked alike.
        found = differences(limit=20) + lights_differences()[:20]
    if found:
        pytest.fail("the reporting ledger differs from its sources:\n" + "\n".join(found), pytrace=False)
