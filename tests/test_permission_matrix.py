"""Every view, four ways: anonymous, a user with no permission, another unit's object, one's own.

For each role (liaison, head, office, leader) "own" and "other" objects are what that role
would call them: a liaison's own unit's report and another unit's; for the office and leaders,
who see every submitted report and every campaign, "other" is what stays private even from
them (a unit's draft) or, for leaders, a campaign still in draft. One table says what each
request must get; responses that refuse must not carry the object's data either.

The second half checks that lists and detail pages agree: a report that shows up anywhere
opens and its evidence downloads; a report outside access.visible_to shows up nowhere.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.access import visible_to
from campaigns.models import Campaign, CampaignImport
from campaigns.services import ensure_reporting_periods
from tasks.models import ProgressReport
from tests.factories import (
    AttachmentFactory,
    CampaignFactory,
    CompletionRequestFactory,
    ExtensionRequestFactory,
    ProgressReportFactory,
    TaskFactory,
    UnitFactory,
)
from units.models import Membership

pytestmark = pytest.mark.django_db

LOGIN, SHOWN, HIDDEN = "login", "shown", "hidden"  # HIDDEN: 200, and the object's data is absent
ROLES = {"liaison": "lead_liaison", "head": "lead_head", "office": "office", "leader": "leader"}


@pytest.fixture
def world(reporting, assign, member):
    """The `reporting` campaign A plus: campaign B (active) that the liaison's unit is not in,
    campaign D still in draft, reports with evidence, requests, and import uploads."""
    r = reporting
    now = timezone.now()
    b = CampaignFactory(code="campaign-b", title="乙专项行动", start_date=r.campaign.start_date, end_date=r.campaign.end_date)
    d = CampaignFactory(code="campaign-d", title="丁草稿行动", status=Campaign.Status.DRAFT)
    for campaign in (b, d):
        ensure_reporting_periods(campaign)
    x, y = UnitFactory(name="区乙局"), UnitFactory(name="区丁局")
    b1 = TaskFactory(campaign=b, number="1", title="乙行动的任务")
    d1 = TaskFactory(campaign=d, number="1", title="丁行动的草稿任务", deadline=timezone.localdate() + datetime.timedelta(days=90))
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
    own_completion = CompletionRequestFactory(task=task3, unit=r.lead, summary="第三项任务已完成", requested_by=r.lead_liaison)
    own_extension = ExtensionRequestFactory(task=task3, unit=r.lead, reason="第三项任务需延期", requested_by=r.lead_liaison)
    d_completion = CompletionRequestFactory(task=d1, unit=y, summary="丁局申请办结")
    d_extension = ExtensionRequestFactory(task=d1, unit=y, reason="丁局申请延期")
    office_colleague = member(UnitFactory(name="区政府办公室督查科"), Membership.Role.OFFICE)

    def upload(user):
        return CampaignImport.objects.create(
            uploaded_by=user, filename="任务分解表.xlsx", content=b"not a workbook", sha256="0" * 64,
            status=CampaignImport.Status.FAILED,
        )  # fmt: skip

    own_upload, other_upload = upload(r.office), upload(office_colleague)
    shared = {"matrix_period": r.past.number}
    targets = {
        "own": SimpleNamespace(
            **shared, campaign=r.campaign, task=r.task, unit=r.lead, report_task=r.task, report_unit=r.lead,
            report_period=r.period, attachment=own_file, report=own_report, review_campaign=r.campaign,
            completion=own_completion, extension=own_extension, upload=own_upload,
            campaign_marker=r.campaign.title, task_marker="牵头单位的报送内容", unit_marker=r.task.title,
            workspace_marker=r.task.title, review_marker="牵头单位的报送内容", requests_marker="第三项任务已完成",
        ),  # fmt: skip
        # Another unit's things, as a liaison or head of r.lead sees them.
        "other_unit": SimpleNamespace(
            **shared, campaign=b, task=b1, unit=x, report_task=r.other_task, report_unit=r.other,
            report_period=r.period, attachment=other_file, report=other_report, review_campaign=b,
            completion=d_completion, extension=d_extension, upload=other_upload,
            campaign_marker=b.title, task_marker=b1.title, unit_marker=b1.title,
            workspace_marker=r.other_task.title, review_marker="乙局的报送内容", requests_marker="丁局申请办结",
        ),  # fmt: skip
        # What stays private from the office and leaders: a unit's draft; for leaders, a draft campaign.
        "other_staff": SimpleNamespace(
            **shared, campaign=d, task=d1, unit=y, report_task=d1, report_unit=y,
            report_period=d.periods.get(number=1), attachment=draft_file, report=draft_report,
            review_campaign=r.campaign, completion=d_completion, extension=d_extension, upload=other_upload,
            campaign_marker=d.title, task_marker=d1.title, unit_marker=d1.title,
            workspace_marker=d1.title, review_marker="财政局的草稿内容", requests_marker="丁局申请办结",
        ),  # fmt: skip
    }
    return SimpleNamespace(r=r, targets=targets, users={**{k: getattr(r, v) for k, v in ROLES.items()}, "nobody": r.outsider})


@dataclass
class View:
    method: str
    url: object  # (target) -> url
    marker: object = None  # (target) -> text that only this object's page carries
    data: object = None  # (target) -> POST data
    # Expected result: for anonymous and a user with no unit (who are shown the "own" object),
    # then (other, own) for unit members (liaison and head alike), the office, and leaders.
    anon: object = LOGIN
    nobody: object = 404
    unit: tuple = (200, 200)
    office: tuple = (200, 200)
    leader: tuple = (200, 200)


def report_fields(t):
    return {"progress": "报送", "percent_complete": "10", "version": "", "submit": ""}


VIEWS = {
    "campaign list": View("get", lambda t: reverse("campaigns:list"), lambda t: t.campaign_marker,
                          nobody=HIDDEN, unit=(HIDDEN, SHOWN), office=(SHOWN, SHOWN), leader=(HIDDEN, SHOWN)),
    "campaign detail": View("get", lambda t: reverse("campaigns:detail", args=[t.campaign.code]), lambda t: t.campaign_marker,
                            unit=(404, SHOWN), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
    "task detail": View("get", lambda t: reverse("tasks:detail", args=[t.task.campaign.code, t.task.number]), lambda t: t.task_marker,
                        unit=(404, SHOWN), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
    "unit list": View("get", lambda t: reverse("units:list"), nobody=200),
    "unit detail": View("get", lambda t: reverse("units:detail", args=[t.unit.pk]), lambda t: t.unit_marker,
                        nobody=HIDDEN, unit=(HIDDEN, SHOWN), office=(SHOWN, SHOWN), leader=(HIDDEN, SHOWN)),
    "workspace": View("get", lambda t: reverse("tasks:workspace"), lambda t: t.workspace_marker,
                      nobody=HIDDEN, unit=(HIDDEN, SHOWN), office=(HIDDEN, HIDDEN), leader=(HIDDEN, HIDDEN)),
    "report form": View("get", lambda t: reverse("tasks:report", args=[t.report_task.campaign.code, t.report_task.number, t.report_unit.pk, t.report_period.number]),
                        unit=(403, 200), office=(403, 403), leader=(404, 403)),
    "report save": View("post", lambda t: reverse("tasks:report", args=[t.report_task.campaign.code, t.report_task.number, t.report_unit.pk, t.report_period.number]),
                        data=report_fields, unit=(403, 302), office=(403, 403), leader=(404, 403)),
    "attachment": View("get", lambda t: reverse("tasks:attachment", args=[t.attachment.pk]),
                       unit=(404, 200), office=(404, 200), leader=(404, 200)),
    # The own attachment's report is submitted: the unit is refused with a message (and a redirect).
    "attachment remove": View("post", lambda t: reverse("tasks:attachment-remove", args=[t.attachment.pk]), data=lambda t: {},
                              unit=(404, 302), office=(404, 403), leader=(404, 403)),
    "review home": View("get", lambda t: reverse("tasks:review-home"),
                        nobody=403, unit=(403, 403), leader=(403, 403)),
    "review queue": View("get", lambda t: reverse("tasks:review", args=[t.review_campaign.code]), lambda t: t.review_marker,
                         nobody=403, unit=(403, 403), office=(HIDDEN, SHOWN), leader=(403, 403)),
    "review decide": View("post", lambda t: reverse("tasks:review-decide", args=[t.report.pk]), data=lambda t: {"decision": "accept"},
                          nobody=403, unit=(403, 403), office=(404, 302), leader=(403, 403)),
    "review accept selected": View("post", lambda t: reverse("tasks:review-accept-selected", args=[t.review_campaign.code]),
                                   data=lambda t: {"report": [t.report.pk]},
                                   nobody=403, unit=(403, 403), office=(302, 302), leader=(403, 403)),
    "matrix default": View("get", lambda t: reverse("tasks:matrix-default", args=[t.campaign.code]),
                           nobody=403, unit=(403, 403), office=(302, 302), leader=(404, 302)),
    "matrix": View("get", lambda t: reverse("tasks:matrix", args=[t.campaign.code, t.matrix_period]),
                   nobody=403, unit=(403, 403), office=(200, 200), leader=(404, 200)),
    "requests": View("get", lambda t: reverse("tasks:requests"), lambda t: t.requests_marker,
                     nobody=403, unit=(403, 403), office=(SHOWN, SHOWN), leader=(403, 403)),
    "completion decide": View("post", lambda t: reverse("tasks:completion-decide", args=[t.completion.pk]), data=lambda t: {"decision": "approve"},
                              nobody=403, unit=(403, 403), office=(302, 302), leader=(403, 403)),
    "extension decide": View("post", lambda t: reverse("tasks:extension-decide", args=[t.extension.pk]), data=lambda t: {"decision": "approve"},
                             nobody=403, unit=(403, 403), office=(302, 302), leader=(403, 403)),
    "apply for completion": View("post", lambda t: reverse("tasks:completion-request", args=[t.report_task.campaign.code, t.report_task.number]),
                                 data=lambda t: {"unit": t.report_unit.pk, "summary": "申请办结"},
                                 unit=(403, 302), office=(403, 403), leader=(404, 403)),
    "apply for extension": View("post", lambda t: reverse("tasks:extension-request", args=[t.report_task.campaign.code, t.report_task.number]),
                                data=lambda t: {"unit": t.report_unit.pk, "reason": "延期", "requested_deadline": (t.report_task.deadline + datetime.timedelta(days=30)).isoformat()},
                                unit=(403, 302), office=(403, 403), leader=(404, 403)),
    "leader comment": View("post", lambda t: reverse("tasks:comment", args=[t.task.campaign.code, t.task.number]), data=lambda t: {"text": "批示"},
                           unit=(404, 403), office=(302, 302), leader=(404, 302)),
    "import upload": View("get", lambda t: reverse("campaigns:import"),
                          nobody=403, unit=(403, 403), office=(200, 200), leader=(403, 403)),
    "import preview": View("get", lambda t: reverse("campaigns:import-preview", args=[t.upload.pk]),
                           nobody=403, unit=(403, 403), office=(404, 200), leader=(403, 403)),
    "import confirm": View("post", lambda t: reverse("campaigns:import-confirm", args=[t.upload.pk]), data=lambda t: {},
                           nobody=403, unit=(403, 403), office=(404, 302), leader=(403, 403)),
    "import recheck": View("post", lambda t: reverse("campaigns:import-recheck", args=[t.upload.pk]), data=lambda t: {"code": ""},
                           nobody=403, unit=(403, 403), office=(404, 302), leader=(403, 403)),
    "unit directory import": View("get", lambda t: reverse("units:import"),
                                  nobody=403, unit=(403, 403), office=(200, 200), leader=(403, 403)),
}  # fmt: skip


def cases():
    for name, view in VIEWS.items():
        yield pytest.param(name, "anonymous", "own", view.anon, id=f"{name}-anonymous")
        yield pytest.param(name, "nobody", "own", view.nobody, id=f"{name}-no-permission")
        for role in ROLES:
            expected = view.unit if role in ("liaison", "head") else getattr(view, role)
            other = "other_unit" if role in ("liaison", "head") else "other_staff"
            yield pytest.param(name, role, other, expected[0], id=f"{name}-{role}-other")
            yield pytest.param(name, role, "own", expected[1], id=f"{name}-{role}-own")


@pytest.mark.parametrize("name, who, case, expected", cases())
def test_permission_matrix(client, world, name, who, case, expected):
    view = VIEWS[name]
    target = world.targets[case]
    if who != "anonymous":
        client.force_login(world.users[who])
    url = view.url(target)
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
    """A new view must be added to the table above."""
    from config.urls import urlpatterns

    covered = {
        "campaigns:list", "campaigns:detail", "tasks:detail", "units:list", "units:detail", "tasks:workspace",
        "tasks:report", "tasks:attachment", "tasks:attachment-remove", "tasks:review-home", "tasks:review", "tasks:review-decide",
        "tasks:review-accept-selected",
        "tasks:matrix-default", "tasks:matrix", "tasks:requests", "tasks:completion-decide", "tasks:extension-decide",
        "tasks:completion-request", "tasks:extension-request", "tasks:comment", "campaigns:import",
        "campaigns:import-preview", "campaigns:import-confirm", "campaigns:import-recheck", "units:import",
    }  # fmt: skip
    assert len(VIEWS) == len(covered) + 1  # tasks:report twice: the form (GET) and saving it (POST)
    names = set()
    for pattern in urlpatterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace in ("campaigns", "tasks", "units"):
            names |= {f"{namespace}:{p.name}" for p in pattern.url_patterns if p.name}
    assert names == covered, names ^ covered


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
