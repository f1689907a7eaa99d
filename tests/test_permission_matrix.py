"""Every URL of the site, four ways: anonymous, a user with no permission, another unit's object,
one's own.

The cases are generated from the URL configuration (config.urls, includes and namespaces
walked): every pattern, by "namespace:name" (an unnamed one by its route), must have an entry in
MATRIX (tests/permission_table.py), or be EXEMPT with its reason (Django's admin, by its "admin:"
prefix). A new view without an entry fails the suite ("no permission-matrix entry for …: add one"), and so does an entry, or an
exemption, whose URL is gone.

For each role (liaison, head, office, leader) "own" and "other" objects are what that role
would call them: a liaison's own unit's report and another unit's; for the office and leaders,
who see every submitted report and every campaign, "other" is what stays private even from
them (a unit's draft) or, for leaders, a campaign still in draft. One table says what each
request must get; responses that refuse must not carry the object's data either.

The second half checks that lists and detail pages agree: a report that shows up anywhere
opens and its evidence downloads; a report outside access.visible_to shows up nowhere.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.access import visible_to
from campaigns.models import Campaign, CampaignImport
from campaigns.services import ensure_reporting_periods
from tasks.models import ProgressReport
from tests.conftest import add_member, assign_unit, build_reporting, every_database_test_uses, module_transaction
from tests.factories import (
    AttachmentFactory,
    CampaignFactory,
    CompletionRequestFactory,
    ExtensionRequestFactory,
    NotificationFactory,
    ProgressReportFactory,
    SupervisionNoticeFactory,
    TaskFactory,
    UnitFactory,
    UrgeFactory,
)
from tests.permission_table import EXEMPT, EXEMPT_PREFIXES, HIDDEN, LOGIN, MATRIX, SHOWN, View
from units.models import Membership

ROLES = {"liaison": "lead_liaison", "head": "lead_head", "office": "office", "leader": "leader"}


@pytest.fixture(scope="module")
def shared_world(request, django_db_setup, django_db_blocker):
    """The world, built once for the module (in a transaction rolled back when the module is done)
    when every database test of the module asks for ``world``, else None. Built per test, it took
    most of the ~470 cases' time."""
    if not every_database_test_uses(request, "world"):
        yield None
        return
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            built = build_world(build_reporting(), assign_unit, add_member)
        yield built


@pytest.fixture
def world(request, shared_world, db):
    """The module's shared world, its users as the database has them, memos and all forgotten (a
    test's own changes, in its transaction, are rolled back after it); or, when some test of the
    module does not use it, a world built in this test's transaction."""
    if shared_world is None:
        return build_world(*(request.getfixturevalue(name) for name in ("reporting", "assign", "member")))
    for user in shared_world.people:
        fresh = type(user).objects.get(pk=user.pk)
        user.__dict__.clear()
        user.__dict__.update(fresh.__dict__)
    return shared_world


def build_world(reporting, assign, member):
    """The `reporting` campaign A plus: campaign B (active) that the liaison's unit is not in,
    campaign D still in draft, reports with evidence, requests, import uploads, supervision
    notices and urges of each unit, and a notification for every user."""
    r = reporting
    now = timezone.now()
    b = CampaignFactory(
        code="campaign-b", title="乙专项行动", start_date=r.campaign.start_date, end_date=r.campaign.end_date
    )
    d = CampaignFactory(code="campaign-d", title="丁草稿行动", status=Campaign.Status.DRAFT)
    for campaign in (b, d):
        ensure_reporting_periods(campaign)
    x, y = UnitFactory(name="区乙局"), UnitFactory(name="区丁局")
    b1 = TaskFactory(campaign=b, number="1", title="乙行动的任务")
    d1 = TaskFactory(
        campaign=d, number="1", title="丁行动的草稿任务", deadline=timezone.localdate() + datetime.timedelta(days=90)
    )
    task3 = TaskFactory(campaign=r.campaign, number="3", title="第三项任务")
    assign(b1, x)
    assign(d1, y)
    assign(task3, r.lead)

    def report(task, unit, progress, status="submitted", period=r.past):
        made = ProgressReportFactory(
            task=task, unit=unit, period=period, progress=progress, status=status,
            submitted_at=None if status == "draft" else now,
        )  # fmt: skip
        return made, AttachmentFactory(report=made, original_name=f"{progress}.pdf")

    own_report, own_file = report(r.task, r.lead, "牵头单位的报送内容")
    other_report, other_file = report(r.other_task, r.other, "审计局的报送内容")
    draft_report, draft_file = report(r.task, r.support, "财政局的草稿内容", status="draft")
    report(b1, x, "乙局的报送内容", period=b.periods.get(number=r.past.number))
    own_completion = CompletionRequestFactory(
        task=task3, unit=r.lead, summary="第三项任务已完成", requested_by=r.lead_liaison
    )
    own_extension = ExtensionRequestFactory(
        task=task3, unit=r.lead, reason="第三项任务需延期", requested_by=r.lead_liaison
    )
    d_completion = CompletionRequestFactory(task=d1, unit=y, summary="丁局申请办结")
    d_extension = ExtensionRequestFactory(task=d1, unit=y, reason="丁局申请延期")
    office_colleague = member(UnitFactory(name="区政府办公室督查科"), Membership.Role.OFFICE)

    def upload(user):
        return CampaignImport.objects.create(
            uploaded_by=user, filename="任务分解表.xlsx", content=b"not a workbook", sha256="0" * 64,
            status=CampaignImport.Status.FAILED,
        )  # fmt: skip

    own_upload, other_upload = upload(r.office), upload(office_colleague)
    # A notice to the liaison's unit, one to another unit in the same campaign, one in the draft campaign.
    own_notice = SupervisionNoticeFactory(task=r.task, unit=r.lead, body="请区发展和改革局说明逾期原因")
    other_notice = SupervisionNoticeFactory(task=r.other_task, unit=r.other, body="请区审计局说明逾期原因")
    draft_notice = SupervisionNoticeFactory(task=d1, unit=y, body="请区丁局说明逾期原因")
    # Urges are addressed to one unit, even on a task it shares with another.
    UrgeFactory(unit=r.lead, task=r.task, note="催办发改局：请本周内报送", urged_by=r.office)
    UrgeFactory(unit=r.support, task=r.task, note="催办财政局：请本周内报送", urged_by=r.office)
    # Everyone's own notification; "another's" is a notification to another person.
    everyone = {**{k: getattr(r, v) for k, v in ROLES.items()}, "nobody": r.outsider, "other_liaison": r.other_liaison}
    notifications = {
        who: NotificationFactory(recipient=user, title=f"给{user.username}的通知", link=reverse("tasks:workspace"))
        for who, user in everyone.items()
    }
    shared = {"matrix_period": r.past.number}
    # fmt: off
    targets = {
        "own": SimpleNamespace(
            **shared, campaign=r.campaign, task=r.task, unit=r.lead, report_task=r.task, report_unit=r.lead,
            report_period=r.period, attachment=own_file, report=own_report, review_campaign=r.campaign,
            completion=own_completion, extension=own_extension, upload=own_upload,
            campaign_marker=r.campaign.title, task_marker="牵头单位的报送内容", unit_marker=r.task.title,
            workspace_marker=r.task.title, review_marker="牵头单位的报送内容", requests_marker="第三项任务已完成",
            notice=own_notice,
        ),  # fmt: skip
        # Another unit's things, as a liaison or head of r.lead sees them.
        "other_unit": SimpleNamespace(
            **shared, campaign=b, task=b1, unit=x, report_task=r.other_task, report_unit=r.other,
            report_period=r.period, attachment=other_file, report=other_report, review_campaign=b,
            completion=d_completion, extension=d_extension, upload=other_upload,
            campaign_marker=b.title, task_marker=b1.title, unit_marker=b1.title,
            workspace_marker=r.other_task.title, review_marker="乙局的报送内容", requests_marker="丁局申请办结",
            notice=other_notice, notification=notifications["other_liaison"],
        ),  # fmt: skip
        # What stays private from the office and leaders: a unit's draft; for leaders, a draft campaign.
        "other_staff": SimpleNamespace(
            **shared, campaign=d, task=d1, unit=y, report_task=d1, report_unit=y,
            report_period=d.periods.get(number=1), attachment=draft_file, report=draft_report,
            review_campaign=r.campaign, completion=d_completion, extension=d_extension, upload=other_upload,
            campaign_marker=d.title, task_marker=d1.title, unit_marker=d1.title,
            workspace_marker=d1.title, review_marker="财政局的草稿内容", requests_marker="丁局申请办结",
            notice=draft_notice, notification=notifications["liaison"],
        ),  # fmt: skip
    }
    # fmt: on

    def target(case, who):
        """The objects a request works on; one's own notification is the requesting user's."""
        if case != "own":
            return targets[case]
        return SimpleNamespace(**vars(targets["own"]), notification=notifications.get(who, notifications["liaison"]))

    return SimpleNamespace(
        r=r, targets=targets, target=target, users={**{k: getattr(r, v) for k, v in ROLES.items()}, "nobody": r.outsider},
        people=[user for user in (*vars(r).values(), office_colleague) if isinstance(user, get_user_model())],
    )  # fmt: skip


def site_urls(patterns=None, namespace="", route=""):
    """{"namespace:name" (or, unnamed, "namespace:route"): route} for every URL pattern of the
    site, walking config.urls with its includes and nested namespaces."""
    found = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        here = route + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            found |= site_urls(pattern.url_patterns, inner, here)
        else:
            found[":".join(filter(None, [namespace, pattern.name or here]))] = here
    return found


def exemption(key):
    return EXEMPT.get(key) or next((why for prefix, why in EXEMPT_PREFIXES.items() if key.startswith(prefix)), None)


class Problem(str):
    """A case that fails at once: the URL configuration and MATRIX disagree."""


def cases(urls=None, matrix=None):
    urls = site_urls() if urls is None else urls
    matrix = MATRIX if matrix is None else matrix
    for key, route in urls.items():
        if exemption(key):
            continue
        entries = matrix.get(key)
        if entries is None:
            yield pytest.param(
                key,
                0,
                None,
                None,
                Problem(f"no permission-matrix entry for {key} ({route}): add one"),
                id=f"{key}-missing",
            )
            continue
        for index, view in enumerate(entries if isinstance(entries, list) else [entries]):
            name = f"{key} {view.label}".strip()
            yield pytest.param(key, index, "anonymous", "own", view.anon, id=f"{name}-anonymous")
            yield pytest.param(key, index, "nobody", "own", view.nobody, id=f"{name}-no-permission")
            for role in ROLES:
                expected = view.unit if role in ("liaison", "head") else getattr(view, role)
                other = "other_unit" if role in ("liaison", "head") else "other_staff"
                yield pytest.param(key, index, role, other, expected[0], id=f"{name}-{role}-other")
                yield pytest.param(key, index, role, "own", expected[1], id=f"{name}-{role}-own")
    for key in matrix.keys() - urls.keys():
        yield pytest.param(
            key,
            0,
            None,
            None,
            Problem(f"permission-matrix entry {key} matches no URL of the site: remove it"),
            id=f"{key}-gone",
        )
    for key in EXEMPT.keys() - urls.keys():
        yield pytest.param(
            key, 0, None, None, Problem(f"exempt {key} matches no URL of the site: remove it"), id=f"{key}-exempt-gone"
        )
    for key in matrix.keys() & urls.keys():
        if exemption(key):
            yield pytest.param(key, 0, None, None, Problem(f"{key} is both exempt and in the matrix: keep one"), id=f"{key}-twice")  # fmt: skip


@pytest.mark.parametrize("key, index, who, case, expected", cases())
def test_permission_matrix(client, world, key, index, who, case, expected):
    if isinstance(expected, Problem):
        pytest.fail(expected, pytrace=False)
    entries = MATRIX[key]
    view = entries[index] if isinstance(entries, list) else entries
    target = world.target(case, who)
    if who != "anonymous":
        client.force_login(world.users[who])
    url = view.url(key, target)
    response = client.post(url, view.data(target)) if view.method == "post" else client.get(url)

    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(f"{reverse('login')}?next=")
        return
    status = 200 if expected in (SHOWN, HIDDEN) else expected
    assert response.status_code == status
    if view.marker is None or response.status_code in (301, 302) or response.get("Content-Disposition"):
        return
    marker = view.marker(target)
    content = response.content.decode()
    if expected == SHOWN:
        assert marker in content
    else:  # refused or hidden: the object's data must not be in the answer
        assert marker not in content


def test_every_url_of_the_site_is_in_the_matrix():
    """A new view must be added to MATRIX (or, if Django's own, to EXEMPT with its reason)."""
    urls = site_urls()
    assert {"campaigns:list", "tasks:report", "supervision:urge", "home", "login", "admin:index"} <= urls.keys()
    assert [str(p.values[-1]) for p in cases(urls) if isinstance(p.values[-1], Problem)] == []


def test_a_url_without_an_entry_fails_and_so_does_an_entry_without_a_url():
    urls = {"campaigns:list": "campaigns/", "tasks:new-page": "new/<int:pk>/", "admin:index": "admin/"}
    matrix = {"campaigns:list": MATRIX["campaigns:list"], "tasks:gone": View()}
    problems = {p.id: p.values[-1] for p in cases(urls, matrix) if isinstance(p.values[-1], Problem)}
    assert problems == {
        "tasks:new-page-missing": "no permission-matrix entry for tasks:new-page (new/<int:pk>/): add one",
        "tasks:gone-gone": "permission-matrix entry tasks:gone matches no URL of the site: remove it",
    }
    # An unnamed pattern is known by its route, inside its namespace.
    from django.urls import include, path

    nested = [path("a/", include(([path("<int:pk>/", View, name="x"), path("raw/", View)], "outer")))]
    assert site_urls(nested) == {"outer:x": "a/<int:pk>/", "outer:a/raw/": "a/raw/"}


# ---- lists and detail pages agree ------------------------------------------------------------


def _pages(client, world, user):
    """Every page that can show reports to this user, rendered: url → content."""
    r = world.r
    urls = [reverse("tasks:workspace"), reverse("campaigns:list")]
    for target in world.targets.values():
        urls.append(reverse("tasks:detail", args=[target.task.campaign.code, target.task.number]))
        urls.append(reverse("tasks:review", args=[target.review_campaign.code]) + f"?period={r.past.number}&state=all")
        urls.append(reverse("tasks:matrix", args=[target.campaign.code, r.past.number]))
        for unit in (r.lead, r.support, r.other):
            for task in (r.task, r.other_task):
                urls.append(reverse("tasks:report", args=[task.campaign.code, task.number, unit.pk, r.past.number]))
    urls.append(reverse("tasks:requests"))
    pages = {}
    for url in dict.fromkeys(urls):
        response = client.get(url)
        if response.status_code == 200:
            pages[url] = response.content.decode()
    return pages


@pytest.mark.parametrize("who", ["liaison", "head", "office", "leader", "nobody", "support_liaison", "other_liaison"])
def test_lists_and_detail_pages_use_the_same_scoping(client, world, who):
    user = world.users.get(who) or getattr(world.r, who)
    client.force_login(user)
    visible = set(visible_to(user, ProgressReport).values_list("pk", flat=True))
    pages = _pages(client, world, user)
    everything = "\n".join(pages.values())
    for report in ProgressReport.objects.prefetch_related("attachments"):
        download = reverse("tasks:attachment", args=[report.attachments.get().pk])
        if report.pk in visible:
            # Whatever a page offers opens: a listed attachment downloads.
            if download in everything:
                assert client.get(download).status_code == 200
        else:
            assert report.progress not in everything, (who, report.progress)
            assert download not in everything
            assert client.get(download).status_code == 404
    # And the other way round: every attachment link on any page downloads.
    for url, content in pages.items():
        for pk in _attachment_links(content):
            assert client.get(reverse("tasks:attachment", args=[pk])).status_code == 200, url


def _attachment_links(content):
    import re

    prefix = reverse("tasks:attachment", args=[0]).removesuffix("0/")
    return {int(pk) for pk in re.findall(re.escape(prefix) + r"(\d+)/", content)}


def test_a_user_with_no_unit_sees_no_report_anywhere(client, world):
    client.force_login(world.users["nobody"])
    everything = "\n".join(_pages(client, world, world.users["nobody"]).values())
    assert "报送内容" not in everything and "草稿内容" not in everything


@pytest.mark.parametrize("who", ["liaison", "head", "office"])
def test_notices_urges_and_notifications_are_their_units_and_persons_own(client, world, who):
    """Where notices, urges and notifications show (the task's timeline, the notice list and page,
    the inbox): a unit sees its own and never another unit's, even on a task they share; the office
    sees every notice and urge; a notification is its recipient's alone."""
    r, user = world.r, world.users[who]
    client.force_login(user)
    urls = [
        reverse("tasks:detail", args=[r.campaign.code, r.task.number]),
        reverse("supervision:notices"),
        reverse("supervision:notice", args=[world.targets["own"].notice.pk]),
        reverse("notifications:inbox"),
    ]
    everything = "\n".join(client.get(url).content.decode() for url in urls)
    own = ["催办发改局：请本周内报送", "请区发展和改革局说明逾期原因", f"给{user.username}的通知"]
    others = ["催办财政局：请本周内报送", "请区审计局说明逾期原因", "请区丁局说明逾期原因", "给other_liaison的通知"]
    if who == "office":
        # Every urge on the task's timeline; the notices' bodies are on their own pages (the matrix).
        own, others = own + others[:1], ["给other_liaison的通知", "给lead_liaison的通知"]
    for text in own:
        assert text in everything, text
    for text in others:
        assert text not in everything, text
