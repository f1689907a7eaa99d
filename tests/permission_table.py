"""The permission matrix's table: what each request must get, by URL name and role.

tests/test_permission_matrix.py generates its cases from the URL configuration and reads the expected
result of each from MATRIX (or EXEMPT); the world it runs them on is built there too.
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse

from dashboards.links import coordination_url, reports_url, tasks_url

LOGIN, SHOWN, HIDDEN = "login", "shown", "hidden"  # HIDDEN: 200, and the object's data is absent


@dataclass
class View:
    method: str = "get"
    args: object = None  # (target) -> the URL's arguments for reverse()
    marker: object = None  # (target) -> text that only this object's page carries
    data: object = None  # (target) -> POST data
    # Expected result: for anonymous and a user with no unit (who are shown the "own" object),
    # then (other, own) for unit members (liaison and head alike), the office, and leaders.
    anon: object = LOGIN
    nobody: object = 404
    unit: tuple = (200, 200)
    office: tuple = (200, 200)
    leader: tuple = (200, 200)
    label: str = ""  # tells apart two entries of one URL (a form and saving it)
    path: object = None  # (target) -> URL, for a pattern without a name

    def url(self, key, target):
        if self.path is not None:
            return self.path(target)
        return reverse(key, args=self.args(target) if self.args else None)


def everyone(status, **overrides):
    """The same answer for everybody, anonymous included, whatever the object."""
    return {"anon": status, "nobody": status, "unit": (status, status), "office": (status, status),
            "leader": (status, status), **overrides}  # fmt: skip


def signed_in(status):
    """Anonymous is sent to sign in; everybody signed in gets `status`, whatever the object."""
    return everyone(status, anon=LOGIN)


def report_fields(t):
    return {"progress": "报送", "percent_complete": "10", "version": "", "submit": ""}


def task_args(t):
    return [t.task.campaign.code, t.task.number]


def report_args(t):
    return [t.report_task.campaign.code, t.report_task.number, t.report_unit.pk, t.report_period.number]


def report_task_args(t):
    return [t.report_task.campaign.code, t.report_task.number]


def export_file_args(t):
    """A background export of the requesting user's own (t.notification is the requester's for
    "own", another person's otherwise), still queued: its page says so."""
    from exports.models import ExportFile

    user = t.notification.recipient
    export_file, _created = ExportFile.objects.get_or_create(
        requested_by=user, kind="ledger", filters_key="matrix",
        defaults={"campaign": t.campaign, "filename": f"工作台账-{user.username}.xlsx"},
    )  # fmt: skip
    return [export_file.pk]


def bulletin(t):
    """The bulletin a request works on, made on first use: the "own" campaign's is published (every
    signed-in user reads it), any other campaign's a draft (the office's alone)."""
    from bulletins.models import Bulletin

    own = t.campaign.code == "efficiency-2026"
    period = t.campaign.periods.order_by("number").first()
    found, _created = Bulletin.objects.get_or_create(
        campaign=t.campaign, defaults={
            "period_from": period, "period_to": period, "title": f"{t.campaign.title}的通报",
            "status": "published" if own else "draft", "number": 1 if own else None,
        },
    )  # fmt: skip
    return found


def bulletin_args(t):
    return [bulletin(t).pk]


# Keyed by the URL's "namespace:name" (an unnamed pattern: its route); a list when one URL has
# more than one entry (tasks:report: the form and saving it).
MATRIX = {
    "campaigns:list": View(marker=lambda t: t.campaign_marker,
                           nobody=HIDDEN, unit=(HIDDEN, SHOWN), office=(SHOWN, SHOWN), leader=(HIDDEN, SHOWN)),
    "campaigns:detail": View(args=lambda t: [t.campaign.code], marker=lambda t: t.campaign_marker,
                             unit=(404, SHOWN), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
    "tasks:detail": View(args=task_args, marker=lambda t: t.task_marker,
                         unit=(404, SHOWN), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
    "units:list": View(nobody=200),
    "units:detail": View(args=lambda t: [t.unit.pk], marker=lambda t: t.unit_marker,
                         nobody=HIDDEN, unit=(HIDDEN, SHOWN), office=(SHOWN, SHOWN), leader=(HIDDEN, SHOWN)),
    "tasks:workspace": View(marker=lambda t: t.workspace_marker,
                            nobody=HIDDEN, unit=(HIDDEN, SHOWN), office=(HIDDEN, HIDDEN), leader=(HIDDEN, HIDDEN)),
    "tasks:report": [
        View(args=report_args, label="form", unit=(403, 200), office=(403, 403), leader=(404, 403)),
        View("post", args=report_args, label="save", data=report_fields, unit=(403, 302), office=(403, 403), leader=(404, 403)),
    ],
    "tasks:attachment": View(args=lambda t: [t.attachment.pk], unit=(404, 200), office=(404, 200), leader=(404, 200)),
    # The own attachment's report is submitted: the unit is refused with a message (and a redirect).
    "tasks:attachment-remove": View("post", args=lambda t: [t.attachment.pk], data=lambda t: {},
                                    unit=(404, 302), office=(404, 403), leader=(404, 403)),
    "tasks:review-home": View(nobody=403, unit=(403, 403), leader=(403, 403)),
    "tasks:review": View(args=lambda t: [t.review_campaign.code], marker=lambda t: t.review_marker,
                         nobody=403, unit=(403, 403), office=(HIDDEN, SHOWN), leader=(403, 403)),
    "tasks:review-decide": View("post", args=lambda t: [t.report.pk], data=lambda t: {"decision": "accept"},
                                nobody=403, unit=(403, 403), office=(404, 302), leader=(403, 403)),
    "tasks:review-accept-selected": View("post", args=lambda t: [t.review_campaign.code], data=lambda t: {"report": [t.report.pk]},
                                         nobody=403, unit=(403, 403), office=(302, 302), leader=(403, 403)),
    "tasks:matrix-default": View(args=lambda t: [t.campaign.code],
                                 nobody=403, unit=(403, 403), office=(302, 302), leader=(404, 302)),
    "tasks:matrix": View(args=lambda t: [t.campaign.code, t.matrix_period],
                         nobody=403, unit=(403, 403), office=(200, 200), leader=(404, 200)),
    "tasks:requests": View(marker=lambda t: t.requests_marker,
                           nobody=403, unit=(403, 403), office=(SHOWN, SHOWN), leader=(403, 403)),
    "tasks:completion-decide": View("post", args=lambda t: [t.completion.pk], data=lambda t: {"decision": "approve"},
                                    nobody=403, unit=(403, 403), office=(302, 302), leader=(403, 403)),
    "tasks:extension-decide": View("post", args=lambda t: [t.extension.pk], data=lambda t: {"decision": "approve"},
                                   nobody=403, unit=(403, 403), office=(302, 302), leader=(403, 403)),
    "tasks:completion-request": View("post", args=report_task_args, data=lambda t: {"unit": t.report_unit.pk, "summary": "申请办结"},
                                     unit=(403, 302), office=(403, 403), leader=(404, 403)),
    "tasks:extension-request": View("post", args=report_task_args,
                                    data=lambda t: {"unit": t.report_unit.pk, "reason": "延期", "requested_deadline": (t.report_task.deadline + datetime.timedelta(days=30)).isoformat()},
                                    unit=(403, 302), office=(403, 403), leader=(404, 403)),
    "tasks:comment": View("post", args=task_args, data=lambda t: {"text": "批示"},
                          unit=(404, 403), office=(302, 302), leader=(404, 302)),
    "campaigns:import": View(nobody=403, unit=(403, 403), office=(200, 200), leader=(403, 403)),
    "campaigns:import-preview": View(args=lambda t: [t.upload.pk],
                                     nobody=403, unit=(403, 403), office=(404, 200), leader=(403, 403)),
    "campaigns:import-confirm": View("post", args=lambda t: [t.upload.pk], data=lambda t: {},
                                     nobody=403, unit=(403, 403), office=(404, 302), leader=(403, 403)),
    "campaigns:import-recheck": View("post", args=lambda t: [t.upload.pk], data=lambda t: {"code": ""},
                                     nobody=403, unit=(403, 403), office=(404, 302), leader=(403, 403)),
    "units:import": View(nobody=403, unit=(403, 403), office=(200, 200), leader=(403, 403)),
    # Supervision. A notice is its unit's: the office sees all, leaders those of campaigns not in draft.
    "supervision:notices": View(marker=lambda t: reverse("supervision:notice", args=[t.notice.pk]),
                                nobody=HIDDEN, unit=(HIDDEN, SHOWN), office=(SHOWN, SHOWN), leader=(HIDDEN, SHOWN)),
    "supervision:notice": [
        View(args=lambda t: [t.notice.pk], marker=lambda t: t.notice.body, label="page",
             unit=(404, SHOWN), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
        # Answered once, by the unit's liaison or head; the office and leaders only read.
        View("post", args=lambda t: [t.notice.pk], data=lambda t: {"answer": "已整改"}, label="answer",
             unit=(404, 302), office=(403, 403), leader=(404, 403)),
    ],
    "supervision:urge": View("post", data=lambda t: {"unit": t.unit.pk, "task": t.task.pk, "note": "请加快进度"},
                             nobody=403, unit=(403, 403), office=(302, 302), leader=(403, 403)),
    # Notifications are the recipient's alone: "other" is somebody else's, even for the office.
    "notifications:inbox": View(marker=lambda t: t.notification.title,
                              nobody=SHOWN, unit=(HIDDEN, SHOWN), office=(HIDDEN, SHOWN), leader=(HIDDEN, SHOWN)),
    "notifications:notification": View("post", args=lambda t: [t.notification.pk], data=lambda t: {},
                                     nobody=302, unit=(404, 302), office=(404, 302), leader=(404, 302)),
    "notifications:inbox-read-all": View("post", data=lambda t: {}, **signed_in(302)),
    "notifications:preferences": View(**signed_in(200)),
    # Drill-down lists (dashboards.views_lists), of one campaign: the office and leaders see every
    # unit's rows, a unit member only its own units' rows; someone with neither is refused; a
    # campaign the user may not see is not found.
    "dashboards:tasks": View(path=lambda t: tasks_url(campaign=t.campaign.code), marker=lambda t: t.task.title,
                             nobody=403, unit=(404, SHOWN), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
    # A campaign in draft owes no reports yet (its periods open once it is active): nothing to list.
    "dashboards:reports": View(path=lambda t: reports_url(campaign=t.campaign.code, period="all"), marker=lambda t: t.task.title,
                               nobody=403, unit=(404, SHOWN), office=(HIDDEN, SHOWN), leader=(404, SHOWN)),
    "dashboards:coordination": View(path=lambda t: coordination_url(campaign=t.campaign.code),
                                    nobody=403, unit=(404, 200), office=(200, 200), leader=(404, 200)),
    # The campaign dashboard and the office overview: those who oversee (the office, leaders); a
    # leader does not see a campaign in draft.
    "dashboards:campaign": View(args=lambda t: [t.campaign.code], marker=lambda t: t.campaign_marker,
                                nobody=403, unit=(403, 403), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
    "dashboards:overview": View(nobody=403, unit=(403, 403), office=(200, 200), leader=(200, 200)),
    # Traffic lights: the office tunes a campaign's rules and marks tasks for leader attention.
    "lights:rules": View(args=lambda t: [t.campaign.code], nobody=403, unit=(403, 403), office=(200, 200), leader=(403, 403)),
    "lights:attention": View("post", args=lambda t: [t.task.pk], data=lambda t: {"action": "mark"},
                             nobody=403, unit=(403, 403), office=(302, 302), leader=(403, 403)),
    # Exports: those who may export (the office, leaders); a stored export is its requester's
    # alone, whoever asks; the export log is the office's audit trail.
    "exports:index": View(nobody=403, unit=(403, 403), office=(200, 200), leader=(200, 200)),
    "exports:download": View(args=export_file_args, marker=lambda t: f"工作台账-{t.notification.recipient.username}.xlsx",
                             nobody=SHOWN, unit=(404, SHOWN), office=(404, SHOWN), leader=(404, SHOWN)),
    "exports:log": View(nobody=403, unit=(403, 403), office=(200, 200), leader=(403, 403)),
    # Bulletins: every signed-in user reads published ones (the "own" campaign's); a draft (any
    # other campaign's) is the office's; drafting, editing and publishing are the office's, and a
    # published bulletin is no longer edited (sent back to its page).
    "bulletins:list": View(path=lambda t: (bulletin(t), reverse("bulletins:list"))[1], marker=lambda t: bulletin(t).title,
                           nobody=SHOWN, unit=(HIDDEN, SHOWN), office=(SHOWN, SHOWN), leader=(HIDDEN, SHOWN)),
    "bulletins:new": View(nobody=403, unit=(403, 403), office=(200, 200), leader=(403, 403)),
    "bulletins:detail": View(args=bulletin_args, marker=lambda t: bulletin(t).title,
                             nobody=SHOWN, unit=(404, SHOWN), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
    "bulletins:print": View(args=bulletin_args, marker=lambda t: bulletin(t).title,
                            nobody=SHOWN, unit=(404, SHOWN), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
    "bulletins:docx": View(args=bulletin_args, nobody=200, unit=(404, 200), office=(200, 200), leader=(404, 200)),
    "bulletins:edit": View(args=bulletin_args, nobody=403, unit=(404, 403), office=(200, 302), leader=(404, 403)),
    "bulletins:refresh": View("post", args=bulletin_args, data=lambda t: {},
                              nobody=403, unit=(404, 403), office=(302, 302), leader=(404, 403)),
    "bulletins:publish": [
        View(args=bulletin_args, label="confirm", nobody=403, unit=(404, 403), office=(200, 302), leader=(404, 403)),
        View("post", args=bulletin_args, data=lambda t: {}, label="publish",
             nobody=403, unit=(404, 403), office=(302, 302), leader=(404, 403)),
    ],
    # Assessment (考核): the ranking for those who oversee (a leader does not see a draft campaign);
    # a unit's score page for its own liaisons and heads, the office and leaders (others: not
    # found); the rules for the office.
    "assessment:ranking": View(args=lambda t: [t.campaign.code], nobody=403, unit=(403, 403), office=(200, 200), leader=(404, 200)),
    "assessment:unit": View(args=lambda t: [t.campaign.code, t.unit.pk], marker=lambda t: t.unit.name,
                            unit=(404, SHOWN), office=(SHOWN, SHOWN), leader=(404, SHOWN)),
    "assessment:rules": View(args=lambda t: [t.campaign.code], nobody=403, unit=(403, 403), office=(200, 200), leader=(403, 403)),
    # The site's own pages around the apps. Home sends each user to their home page (or the campaigns).
    "home": View(**signed_in(302)),
    # The home pages by role: the office's desk, a leader's home, a unit's own standing (?unit=
    # another unit's id is not found).
    "dashboards:desk": View(nobody=403, unit=(403, 403), office=(200, 200), leader=(403, 403)),
    "dashboards:leader": View(nobody=403, unit=(403, 403), office=(403, 403), leader=(200, 200)),
    "dashboards:unit": View(path=lambda t: reverse("dashboards:unit") + f"?unit={t.unit.pk}", marker=lambda t: t.unit.name,
                            nobody=403, unit=(404, SHOWN), office=(403, 403), leader=(403, 403)),
    # Following a task: whoever sees the task (a leader does not see a draft campaign's).
    "dashboards:follow": View("post", args=lambda t: [t.task.pk], data=lambda t: {"follow": "1"},
                              nobody=404, unit=(404, 302), office=(302, 302), leader=(404, 302)),
    "favicon": View(**everyone(302)),  # to the static icon, signed in or not
    "set_language": View("post", data=lambda t: {"language": "zh-hans", "next": "/"}, **everyone(302)),
    # django.contrib.auth: signing in and resetting a password work before signing in.
    "login": View(**everyone(200)),
    "logout": View("post", data=lambda t: {}, **signed_in(302)),
    "password_change": View(**signed_in(200)),
    "password_change_done": View(**signed_in(200)),
    "password_reset": View(**everyone(200)),
    "password_reset_done": View(**everyone(200)),
    "password_reset_confirm": View(args=lambda t: ["MQ", "not-a-token"], **everyone(200)),
    "password_reset_complete": View(**everyone(200)),
}  # fmt: skip

# URLs whose access is Django's own, with the reason they are not in MATRIX. Still checked: an
# exemption whose URL is gone fails, and a new pattern is not exempt unless listed here.
EXEMPT = {}
EXEMPT_PREFIXES = {
    "admin:": "Django's admin: is_staff and its model permissions decide (tests/*/test_admin.py)",
}
