"""accounts.access, the one module that decides: every model of visible_to and every action of can()
for the office, a leader, a liaison of an assigned unit (lead and supporting), a liaison of
another unit, a user with no role and an anonymous visitor."""

import datetime
import pathlib
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.utils import timezone

from accounts import access
from campaigns.models import Campaign
from tasks.models import Attachment, CompletionRequest, ExtensionRequest, LeaderComment, ProgressReport, Task

from ..factories import (
    AttachmentFactory,
    CampaignFactory,
    CompletionRequestFactory,
    ExtensionRequestFactory,
    LeaderCommentFactory,
    ProgressReportFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["office", "leader", "lead_liaison", "support_liaison", "other_liaison", "outsider", "anonymous"]


def user_of(world, role):
    return AnonymousUser() if role == "anonymous" else getattr(world, role)


def ids(user, model):
    return set(access.visible_to(user, model).values_list("pk", flat=True))


def Notice():
    return apps.get_model("supervision", "SupervisionNotice")


def Urge():
    return apps.get_model("supervision", "Urge")


def Notification():
    return apps.get_model("notifications", "Notification")


@pytest.fixture
def rows(world, assign):
    w = world
    draft_campaign = CampaignFactory(status=Campaign.Status.DRAFT)
    draft_task = TaskFactory(campaign=draft_campaign, number="9")
    assign(draft_task, w.lead)
    now = timezone.now()
    lead_draft = ProgressReportFactory(task=w.task, unit=w.lead, period=w.period, status=ProgressReport.Status.DRAFT)
    support_submitted = ProgressReportFactory(
        task=w.task, unit=w.support, period=w.previous_period, status=ProgressReport.Status.SUBMITTED, submitted_at=now
    )
    lead_submitted = ProgressReportFactory(
        task=w.task, unit=w.lead, period=w.previous_period, status=ProgressReport.Status.SUBMITTED, submitted_at=now
    )
    completion = CompletionRequestFactory(task=w.task, unit=w.lead)
    return {
        "draft_campaign": draft_campaign,
        "draft_task": draft_task,
        "lead_draft": lead_draft,
        "support_submitted": support_submitted,
        "lead_submitted": lead_submitted,
        "on_draft": AttachmentFactory(report=lead_draft),
        "on_support": AttachmentFactory(report=support_submitted),
        "removed": AttachmentFactory(report=support_submitted, removed_at=now),
        "on_request": AttachmentFactory(report=None, completion_request=completion),
        "completion": completion,
        "extension": ExtensionRequestFactory(task=w.task, unit=w.lead),
        "draft_extension": ExtensionRequestFactory(task=draft_task, unit=w.lead),
        "comment": LeaderCommentFactory(task=w.task, author=w.leader),
        "notice_lead": Notice().objects.create(
            key="n1",
            kind="task_overdue",
            campaign=w.campaign,
            unit=w.lead,
            task=w.task,
            body="督办",
            issued_at=now,
            answer_by=now + datetime.timedelta(days=3),
        ),  # fmt: skip
        "notice_support": Notice().objects.create(
            key="n2",
            kind="task_overdue",
            campaign=w.campaign,
            unit=w.support,
            task=w.task,
            body="督办",
            issued_at=now,
            answer_by=now + datetime.timedelta(days=3),
        ),  # fmt: skip
        "urge_lead": Urge().objects.create(unit=w.lead, task=w.task, urged_by=w.office, urged_at=now),
        "urge_support": Urge().objects.create(unit=w.support, task=w.task, urged_by=w.office, urged_at=now),
        "urge_general": Urge().objects.create(unit=w.other, urged_by=w.office, urged_at=now),
        "note_lead": Notification().objects.create(
            key="k1", recipient=w.lead_liaison, kind="urge", title="催办", created_at=now
        ),
        "note_office": Notification().objects.create(
            key="k2", recipient=w.office, kind="urge", title="催办", created_at=now
        ),
    }


def expect(rows, names):
    return {rows[name].pk for name in names}


@pytest.mark.parametrize("role", ROLES)
def test_campaigns_and_tasks(world, rows, role):
    user = user_of(world, role)
    other_task = Task.objects.get(campaign=world.campaign, number="2")
    campaigns = {
        "office": {world.campaign.pk, rows["draft_campaign"].pk},
        "leader": {world.campaign.pk},
        "lead_liaison": {world.campaign.pk},  # assigned in the draft campaign too: drafts stay the office's
        "support_liaison": {world.campaign.pk},
        "other_liaison": {world.campaign.pk},
    }.get(role, set())
    assert ids(user, Campaign) == ids(user, "campaigns.Campaign") == campaigns
    every_task = {world.task.pk, other_task.pk, rows["draft_task"].pk}
    expected_tasks = every_task if role == "office" else (every_task - {rows["draft_task"].pk} if campaigns else set())
    assert ids(user, Task) == expected_tasks


@pytest.mark.parametrize(
    "role, expected",
    [
        ("office", {"support_submitted", "lead_submitted"}),
        ("leader", {"support_submitted", "lead_submitted"}),
        ("lead_liaison", {"lead_draft", "support_submitted", "lead_submitted"}),  # leads: sees the support's
        ("support_liaison", {"support_submitted"}),  # supports: not the lead's
        ("other_liaison", set()),
        ("outsider", set()),
        ("anonymous", set()),
    ],
)
def test_reports(world, rows, role, expected):
    assert ids(user_of(world, role), ProgressReport) == expect(rows, expected)


def test_report_versions_keep_drafts_their_units_own(world, rows):
    report = rows["lead_submitted"]
    report.progress = "改"
    report.save()
    versions = ProgressReport.history.filter(id=report.pk)
    draft_version = versions.first()
    ProgressReport.history.filter(pk=draft_version.pk).update(status=ProgressReport.Status.DRAFT)
    assert access.visible_versions(world.lead_liaison, versions).count() == versions.count()
    assert access.visible_versions(world.office, versions).count() == versions.count() - 1


@pytest.mark.parametrize(
    "role, expected",
    [
        ("office", {"on_support", "on_request"}),
        ("leader", {"on_support", "on_request"}),
        ("lead_liaison", {"on_draft", "on_support", "on_request"}),
        ("support_liaison", {"on_support"}),  # not the lead unit's completion evidence
        ("other_liaison", set()),
        ("outsider", set()),
        ("anonymous", set()),
    ],
)
def test_attachments_leave_removed_evidence_out(world, rows, role, expected):
    assert ids(user_of(world, role), Attachment) == expect(rows, expected)


@pytest.mark.parametrize("role", ROLES)
def test_requests_and_comments_follow_the_task(world, rows, role):
    user = user_of(world, role)
    sees_task = role not in ("outsider", "anonymous")
    assert ids(user, CompletionRequest) == ({rows["completion"].pk} if sees_task else set())
    extensions = {rows["extension"].pk} if sees_task else set()
    if role == "office":
        extensions.add(rows["draft_extension"].pk)
    assert ids(user, ExtensionRequest) == extensions
    assert ids(user, LeaderComment) == ({rows["comment"].pk} if sees_task else set())


@pytest.mark.parametrize(
    "role, notices, urges",
    [
        ("office", {"notice_lead", "notice_support"}, {"urge_lead", "urge_support", "urge_general"}),
        ("leader", {"notice_lead", "notice_support"}, {"urge_lead", "urge_support", "urge_general"}),
        ("lead_liaison", {"notice_lead"}, {"urge_lead"}),
        ("support_liaison", {"notice_support"}, {"urge_support"}),
        ("other_liaison", set(), {"urge_general"}),
        ("outsider", set(), set()),
        ("anonymous", set(), set()),
    ],
)
def test_notices_and_urges(world, rows, role, notices, urges):
    user = user_of(world, role)
    assert ids(user, Notice()) == expect(rows, notices)
    assert ids(user, Urge()) == expect(rows, urges)


@pytest.mark.parametrize(
    "role, expected",
    [("office", {"note_office"}), ("lead_liaison", {"note_lead"}), ("leader", set()), ("anonymous", set())],
)
def test_notifications_are_their_recipients(world, rows, role, expected):
    assert ids(user_of(world, role), Notification()) == expect(rows, expected)


def test_a_model_without_a_rule_is_an_error(world):
    with pytest.raises(ValueError):
        access.visible_to(world.office, "units.Unit")


# ---- actions ---------------------------------------------------------------------------------

ALLOWED = {
    # action: roles allowed (obj given by the test)
    "review": {"office"},
    "decide": {"office"},
    "urge": {"office"},
    "import": {"office"},
    "manage": {"office"},
    "comment": {"office", "leader"},
    "oversee": {"office", "leader"},
    "export": {"office", "leader"},
    "workspace": {"lead_liaison", "support_liaison", "other_liaison"},
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_role_actions(world, rows, action, role):
    obj = {"decide": rows["completion"], "export": world.campaign, "oversee": world.campaign}.get(action)
    assert access.can(user_of(world, role), action, obj) is (role in ALLOWED[action])


@pytest.mark.parametrize(
    "role, expected",
    [
        ("office", set()),
        ("leader", set()),
        ("lead_liaison", {"lead"}),
        ("support_liaison", {"support"}),
        ("other_liaison", set()),
        ("outsider", set()),
        ("anonymous", set()),
    ],
)
def test_report_and_lead(world, rows, role, expected):
    user = user_of(world, role)
    for name in ("lead", "support", "other"):
        unit = getattr(world, name)
        assert access.can(user, "report", (world.task, unit)) is (name in expected), name
        assert access.can(user, "lead", (world.task, unit)) is (name in expected and name == "lead"), name
    if role != "anonymous":
        assert set(access.units_reporting_for(user, world.task)) == {getattr(world, name) for name in expected}
        assert set(access.lead_units_for(user, world.task)) == ({world.lead} if "lead" in expected else set())
    # A report is its (task, unit).
    assert access.can(user, "report", rows["lead_draft"]) is ("lead" in expected)


def test_no_one_reports_on_a_closed_task(world):
    Task.objects.filter(pk=world.task.pk).update(status=Task.Status.CLOSED, closed_at=timezone.now())
    world.task.refresh_from_db()
    assert not access.can(world.lead_liaison, "report", (world.task, world.lead))
    assert access.can(world.lead_liaison, "lead", (world.task, world.lead))  # the service says "closed off"
    assert not access.can(world.lead_liaison, "lead", (world.task, None))


@pytest.mark.parametrize(
    "role, answers, evidence",
    [
        ("office", set(), {"lead"}),
        ("leader", set(), {"lead"}),
        ("lead_liaison", {"notice_lead"}, {"lead"}),
        ("support_liaison", {"notice_support"}, set()),
        ("other_liaison", set(), set()),
        ("outsider", set(), set()),
        ("anonymous", set(), set()),
    ],
)
def test_answer_and_request_evidence(world, rows, role, answers, evidence):
    user = user_of(world, role)
    for name in ("notice_lead", "notice_support"):
        assert access.can(user, "answer", rows[name]) is (name in answers), name
    assert access.can(user, "see_evidence", rows["completion"]) is bool(evidence)


def test_an_unknown_action_is_an_error(world):
    for user in (world.office, AnonymousUser()):
        with pytest.raises(ValueError):
            access.can(user, "reveiw")


def test_query_counts_are_memoised_per_user(world, rows, django_assert_num_queries):
    user = world.lead_liaison
    access.can(user, "review")
    access.can(user, "comment")  # roles read once: memberships, leader
    with django_assert_num_queries(0):
        for action in ("review", "decide", "comment", "urge", "manage", "export"):
            access.can(user, action)
        access.can(user, "answer", rows["notice_lead"])


# ---- nothing else decides --------------------------------------------------------------------

ROOT = pathlib.Path(__file__).resolve().parents[2]
DECIDING = re.compile(
    r"\broles\.(is_office|is_leader|member_unit_ids)\b|\bmember_unit_ids\b|from accounts\.roles import"
)
# What a user *is* may be read in accounts (roles itself, and access).
ALLOWED_FILES = {"accounts/roles.py", "accounts/access.py"}
# Templates ask access too (`user|can:"review"`), never what the user is.
ROLE_FILTER = re.compile(r"\|\s*(is_office|is_leader|has_units)\b|\{%\s*load\b[^%]*\broles\b")


def test_no_module_outside_accounts_decides():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in {".venv", "node_modules", "tests", "var"} or "/migrations/" in relative:
            continue
        if relative in ALLOWED_FILES:
            continue
        if DECIDING.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == [], "decide through accounts.access, not with roles: " + ", ".join(offenders)


# The actions templates name: `user|can:"review"` and `{% can user "answer" notice as … %}`.
TEMPLATE_ACTION = re.compile(r"""\|\s*can:\s*["']([^"']*)["']|\{%\s*can\s+\S+\s+["']([^"']*)["']""")


def _templates():
    skip = {"node_modules", "var"}
    folders = [path for path in ROOT.iterdir() if path.is_dir() and path.name not in skip and path.name[0] != "."]
    return [path for folder in folders for path in folder.rglob("*.html")]


def test_no_template_decides_by_role():
    templates = _templates()
    assert ROOT / "templates" / "base.html" in templates
    offenders = [
        path.relative_to(ROOT).as_posix() for path in templates if ROLE_FILTER.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "ask accounts.access in templates (user|can:…), not roles: " + ", ".join(offenders)


def test_templates_name_known_actions():
    """`{% if a or b %}` turns an error into False, so a misspelt action would hide a link unnoticed."""
    named = {
        action
        for path in _templates()
        for match in TEMPLATE_ACTION.finditer(path.read_text(encoding="utf-8"))
        for action in match.groups()
        if action is not None
    }
    assert {"review", "oversee", "workspace"} <= named
    assert named - access.ACTIONS == set()


def test_templates_ask_access(world, rows):
    template = Template(
        '{% load access %}{% if user|can:"review" %}review {% endif %}'
        '{% can user "answer" notice as may_answer %}{% if may_answer %}answer{% endif %}'
    )
    for role, expected in [
        ("office", "review "),
        ("lead_liaison", "answer"),
        ("support_liaison", ""),
        ("anonymous", ""),
    ]:
        context = Context({"user": user_of(world, role), "notice": rows["notice_lead"]})
        assert template.render(context) == expected, role
    with pytest.raises(ValueError):
        Template('{% load access %}{{ user|can:"reveiw" }}').render(Context({"user": world.office}))
