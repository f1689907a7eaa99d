"""Who may see what and do what: the one module that decides it.

Every page, selector, service, job and the admin asks here, and nothing else decides:

- `visible_to(user, model)`: the rows of a model with a page that the user may see, as a
  queryset to filter, order and page further (like NetBox's `restrict()`);
- `visible_versions(user, versions)`: the saved versions of a visible report the user may read;
- `can(user, action, obj=None)`: whether the user may take an action (ACTIONS lists them; an
  unknown action raises ValueError, so a typo cannot silently allow or deny);
- `units_reporting_for` / `lead_units_for`: the user's units that report on / lead a task.
- `admin_rows(user, queryset)` / `admin_versions`: what the admin shows (superusers: everything).

What a user *is* (office staff, a leader, a member of some units) is accounts.roles; the answers
are memoised on the user, so a page asks the database at most once per question and the query
counts of pages do not depend on how often they ask here.

Layering: accounts sits below campaigns, tasks, supervision and notifications, and every one of
them asks this module. So it imports none of them: it names their models by label through the
app registry (`apps.get_model("tasks", "Task")`, inside the functions) and their choices through
those models, and imports stay one-way.

Object permissions (django-guardian) are the store of which unit reports on and leads which
task: `report_task` for every assigned unit, `lead_task` for lead units, granted to each unit's
auth group, derived from the task's assignments by the one service that changes them
(tasks.assignments). This module only reads them.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q, QuerySet

from . import roles

# The object-permission codenames (tasks.Task's Meta.permissions) that the grants hold.
REPORT = "report_task"
LEAD = "lead_task"

NOTHING = Q(pk__in=[])

ACTIONS = frozenset(
    {
        "report",  # file or edit a report: obj (task, unit) or a report
        "lead",  # act as lead unit (consolidate, apply for completion or extension): obj (task, unit)
        "review",  # accept or return reports, see the review queue and pending requests
        "decide",  # decide completion and extension requests: obj a request, or None
        "comment",  # leader comments (批示)
        "urge",  # urge a unit (催办)
        "answer",  # answer a supervision notice: obj the notice (whether it is still open is its state)
        "see_evidence",  # the evidence files of a completion request: obj the request
        "oversee",  # the compliance matrix of a campaign: obj a campaign or None
        "export",  # exports of a campaign: obj a campaign or None
        "import",  # upload campaigns and the unit directory
        "manage",  # the office's own pages and notices (calendar, directory upload links)
        "workspace",  # a workspace of one's own (我的任务): a liaison or head of some unit
        "mark_attention",  # mark a task for leader attention (需领导关注), which starts it at yellow
        "desk",  # the office's home page (工作台)
        "leader_home",  # a leader's home page: the tasks they are responsible for
        "unit_home",  # a unit's home page (its standing): a liaison or head of some unit
        "edit_bulletin",  # draft, edit and publish bulletins (督查通报): obj a campaign or None
        "edit_assessment",  # edit a campaign's assessment rules (考核) and recompute: obj a campaign or None
        "see_score",  # a unit's score page, line by line: obj the unit (as visible_to's assessment rule)
    }
)


def _sees_all_units(user) -> bool:
    """Office staff and leaders see every unit's (non-draft) rows in the campaigns they see."""
    return roles.is_office(user) or roles.is_leader(user)


# ---- visibility ----------------------------------------------------------------------------


def campaigns_q(user, prefix: str = "") -> Q:
    """The campaign rule as a filter on campaigns, or on a model that reaches one via `prefix`
    (e.g. "campaign__" for tasks, "task__campaign__" for reports):

    - office staff and superusers see every campaign, drafts included;
    - leaders see every campaign that is not a draft;
    - liaisons and unit heads see non-draft campaigns in which one of their units has a task;
    - anyone else sees nothing.

    Every other rule starts from this one, so a page cannot show what the matching detail page
    would refuse.
    """
    if not user.is_authenticated:
        return NOTHING
    if roles.is_office(user):
        return Q()
    campaign = apps.get_model("campaigns", "Campaign")
    not_draft = ~Q(**{f"{prefix}status": campaign.Status.DRAFT})
    if roles.is_leader(user):
        return not_draft
    unit_ids = roles.member_unit_ids(user)
    if unit_ids:
        # A subquery rather than a join: no duplicate rows, so counts and pagination stay right.
        assignment = apps.get_model("tasks", "TaskAssignment")
        assigned = assignment.objects.filter(unit_id__in=unit_ids).values("task__campaign_id")
        return not_draft & Q(**{f"{prefix}pk__in": assigned})
    return NOTHING


def _granted_task_ids(unit_ids, codename: str):
    """Subquery: ids of tasks on which one of the units' groups holds the permission."""
    grants = apps.get_model("tasks", "TaskGroupObjectPermission")
    return grants.objects.filter(group__unit__in=unit_ids, permission__codename=codename).values("content_object_id")


def _tasks(user) -> QuerySet:
    return apps.get_model("tasks", "Task").objects.filter(campaigns_q(user, prefix="campaign__"))


def _reports(user) -> QuerySet:
    """Office staff and leaders: every report that is not a draft; unit liaisons and heads: all
    of their own units' reports, drafts included, and the submitted reports of other units on
    tasks their unit leads; anyone else none. A unit never sees another unit's drafts."""
    report = apps.get_model("tasks", "ProgressReport")
    reports = report.objects.filter(campaigns_q(user, prefix="task__campaign__"))
    not_draft = ~Q(status=report.Status.DRAFT)
    unit_ids = roles.member_unit_ids(user)
    if _sees_all_units(user):
        return reports.filter(not_draft | Q(unit_id__in=unit_ids))
    if not unit_ids:
        return reports.none()
    return reports.filter(Q(unit_id__in=unit_ids) | (not_draft & Q(task_id__in=_granted_task_ids(unit_ids, LEAD))))


def _obligations(user) -> QuerySet:
    """The reporting ledger (tasks.ledger) follows the tasks: what every unit on a visible task
    owes. Drafts are not revealed by it: tasks.ledger.states shows another unit's draft as not
    yet due or missing."""
    return apps.get_model("tasks", "Obligation").objects.filter(campaigns_q(user, prefix="campaign__"))


def _attachments(user) -> QuerySet:
    """On a report: exactly when the report is visible. On a completion request: when the user
    sees the task and is office staff, a leader, or a member of the unit that applied. Removed
    evidence is left out (Attachment.objects)."""
    on_visible_report = Q(report__in=_reports(user).values("pk"))
    tasks = _tasks(user).values("pk")
    if _sees_all_units(user):
        on_request = Q(completion_request__task__in=tasks)
    else:
        on_request = Q(completion_request__task__in=tasks, completion_request__unit_id__in=roles.member_unit_ids(user))
    return apps.get_model("tasks", "Attachment").objects.filter(on_visible_report | on_request)


def _on_visible_tasks(model_label: str):
    def rows(user) -> QuerySet:
        return apps.get_model(*model_label.split(".")).objects.filter(task__in=_tasks(user).values("pk"))

    return rows


def _notices(user) -> QuerySet:
    """Office staff and leaders see every notice of the campaigns they see; a unit sees its own."""
    notice = apps.get_model("supervision", "SupervisionNotice")
    notices = notice.objects.filter(campaigns_q(user, prefix="campaign__"))
    if _sees_all_units(user):
        return notices
    return notices.filter(Q(unit_id__in=roles.member_unit_ids(user)))


def _urges(user) -> QuerySet:
    """A note is addressed to the unit urged: office staff and leaders see every urge (on tasks of
    campaigns they see, and urges of no task), a unit's liaisons and heads only the urges of their
    own units, never another unit's on the same task; anyone else none."""
    urge = apps.get_model("supervision", "Urge")
    campaigns = campaigns_q(user, prefix="task__campaign__")
    # Q(…) | Q() is Q(…), not "everything": an empty rule (the office sees every campaign) stays empty.
    urges = urge.objects.filter(Q(task__isnull=True) | campaigns) if campaigns else urge.objects.all()
    if _sees_all_units(user):
        return urges
    return urges.filter(unit_id__in=roles.member_unit_ids(user))


def _notifications(user) -> QuerySet:
    """A notification is its recipient's alone."""
    notification = apps.get_model("notifications", "Notification")
    if not user.is_authenticated:
        return notification.objects.none()
    return notification.objects.filter(recipient=user)


def _export_files(user) -> QuerySet:
    """A stored export file is its requester's alone (they saw its rows when they asked)."""
    export_file = apps.get_model("exports", "ExportFile")
    if not user.is_authenticated:
        return export_file.objects.none()
    return export_file.objects.filter(requested_by=user)


def _export_records(user) -> QuerySet:
    """The export log (who exported what, when) is the office's audit trail."""
    record = apps.get_model("exports", "ExportRecord")
    return record.objects.all() if roles.is_office(user) else record.objects.none()


def _bulletins(user) -> QuerySet:
    """The office sees drafts and published bulletins of the campaigns it sees; a published
    bulletin is read by every unit and leader (it names units before the whole city)."""
    bulletin = apps.get_model("bulletins", "Bulletin")
    if not user.is_authenticated:
        return bulletin.objects.none()
    if roles.is_office(user):
        return bulletin.objects.filter(campaigns_q(user, prefix="campaign__"))
    return bulletin.objects.filter(status=bulletin.Status.PUBLISHED)


def _scores(model_label: str):
    """Assessment scores: office staff and leaders see every unit's in the campaigns they see; a
    unit's liaisons and heads see their own units' scores and how each was made, nobody else's."""

    def rule(user) -> QuerySet:
        model = apps.get_model(model_label)
        rows = model.objects.filter(campaigns_q(user, prefix="campaign__"))
        if _sees_all_units(user):
            return rows
        return rows.filter(unit_id__in=roles.member_unit_ids(user))

    return rule


_RULES = {
    "campaigns.campaign": lambda user: apps.get_model("campaigns", "Campaign").objects.filter(campaigns_q(user)),
    "tasks.task": _tasks,
    "tasks.taskassignment": lambda user: apps.get_model("tasks", "TaskAssignment").objects.filter(
        campaigns_q(user, prefix="task__campaign__")
    ),
    "tasks.progressreport": _reports,
    "tasks.obligation": _obligations,
    "tasks.attachment": _attachments,
    "tasks.completionrequest": _on_visible_tasks("tasks.CompletionRequest"),
    "tasks.extensionrequest": _on_visible_tasks("tasks.ExtensionRequest"),
    "tasks.leadercomment": _on_visible_tasks("tasks.LeaderComment"),
    # The traffic lights (lights/) follow their tasks.
    "lights.tasklight": _on_visible_tasks("lights.TaskLight"),
    "lights.tasklightweek": _on_visible_tasks("lights.TaskLightWeek"),
    "lights.attention": _on_visible_tasks("lights.Attention"),
    "supervision.supervisionnotice": _notices,
    "supervision.urge": _urges,
    "notifications.notification": _notifications,
    # The office's outputs (issue 11).
    "exports.exportfile": _export_files,
    "exports.exportrecord": _export_records,
    "bulletins.bulletin": _bulletins,
    "assessment.unitscore": _scores("assessment.UnitScore"),
}


def visible_to(user, model) -> QuerySet:
    """The rows of `model` (a model class or its label, "tasks.Task") that the user may see."""
    label = model.lower() if isinstance(model, str) else model._meta.label_lower
    try:
        rule = _RULES[label]
    except KeyError:
        raise ValueError(f"no visibility rule for {model!r}") from None
    return rule(user)


def visible_versions(user, versions: QuerySet) -> QuerySet:
    """The saved versions (django-simple-history records) of a visible report that the user may
    read: a submitted report's history holds the drafts saved before it, and those stay its
    unit's own, as drafts do in visible_to(user, ProgressReport)."""
    draft = apps.get_model("tasks", "ProgressReport").Status.DRAFT
    return versions.filter(~Q(status=draft) | Q(unit_id__in=roles.member_unit_ids(user)))


# ---- units a user acts for -----------------------------------------------------------------


def _units_holding(user, task, codename: str) -> QuerySet:
    return (
        apps.get_model("units", "Unit")
        .objects.filter(
            pk__in=roles.member_unit_ids(user),
            group__taskgroupobjectpermission__content_object=task,
            group__taskgroupobjectpermission__permission__codename=codename,
        )
        .distinct()
    )


def units_reporting_for(user, task) -> QuerySet:
    """The units on whose behalf the user may report on the task (usually one)."""
    return _units_holding(user, task, REPORT)


def lead_units_for(user, task) -> QuerySet:
    """The user's units that lead the task: they consolidate, apply for completion or extension."""
    return _units_holding(user, task, LEAD)


def workspace_unit_ids(user) -> frozenset[int]:
    """The units whose workspace (tasks to report on, reports filed) the user sees: those in
    which the user is liaison or head."""
    return roles.member_unit_ids(user)


# ---- actions -------------------------------------------------------------------------------


def _task_and_unit(obj):
    if isinstance(obj, tuple):
        return obj
    return obj.task, obj.unit  # a report


def can(user, action: str, obj=None) -> bool:
    """Whether the user may take `action` (one of ACTIONS) on `obj`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not user.is_authenticated:
        return False
    if action == "report":
        task, unit = _task_and_unit(obj)
        task_model = apps.get_model("tasks", "Task")
        return task.status == task_model.Status.OPEN and units_reporting_for(user, task).filter(pk=unit.pk).exists()
    if action == "lead":
        task, unit = obj
        return unit is not None and lead_units_for(user, task).filter(pk=unit.pk).exists()
    if action in ("review", "decide", "urge", "import", "manage", "mark_attention", "edit_bulletin", "edit_assessment"):
        return roles.is_office(user)
    if action in ("comment", "oversee", "export"):
        # Leader comments: leaders, and the office recording a leader's instruction.
        return _sees_all_units(user)
    if action in ("workspace", "unit_home"):
        return bool(workspace_unit_ids(user))
    if action == "desk":
        return roles.is_office(user)
    if action == "leader_home":
        return roles.is_leader(user)
    if action == "answer":
        # A notice is answered by a liaison or head of the unit it was issued to.
        return obj.unit_id in roles.member_unit_ids(user)
    if action == "see_score":
        return _sees_all_units(user) or obj.pk in roles.member_unit_ids(user)
    if action == "see_evidence":
        return _sees_all_units(user) or obj.unit_id in roles.member_unit_ids(user)
    raise AssertionError(action)  # pragma: no cover - every action of ACTIONS is answered above


# ---- home pages ----------------------------------------------------------------------------

# The home pages, in the order a user who is several things is sent to them (the first) and
# offered the others in the navigation; each is the action that opens it.
HOME_PAGES = (("office", "desk"), ("leader", "leader_home"), ("unit", "unit_home"))


def home_pages(user) -> list[str]:
    """The home pages the user may open, of "office", "leader", "unit", in that order."""
    return [page for page, action in HOME_PAGES if can(user, action)]


def leader_id(user) -> int | None:
    """The leader (units.Leader) whose account the user is, for "the tasks I am responsible
    for"; None for anyone else."""
    return roles.leader_id(user)


def home_page(user) -> str | None:
    """Where the user lands on signing in: "office" (工作台), "leader", "unit", or None (the
    campaigns list) for anyone else."""
    pages = home_pages(user)
    return pages[0] if pages else None


# ---- the admin -----------------------------------------------------------------------------

# Models with no rule of their own whose rows follow a parent's: (field to the parent, its label).
_ADMIN_PARENTS = {
    "notifications.delivery": ("notification", "notifications.Notification"),
}


def sees_every_row(user) -> bool:
    """Superusers administer the system: in the admin they see every row, drafts and other
    people's notifications included (and the history of deleted rows). Nobody else does."""
    return user.is_active and user.is_superuser


def admin_rows(user, rows: QuerySet) -> QuerySet:
    """The rows of an admin's queryset (its select_related and ordering kept) that the user may
    see there: all for superusers; for everyone else those of visible_to for a model with a rule,
    those whose parent is visible for a model that follows one (a notification's deliveries), and
    all of a model with no rule (units, periods, settings: what the model permissions guard)."""
    if sees_every_row(user):
        return rows
    label = rows.model._meta.label_lower
    if label in _RULES:
        return rows.filter(pk__in=visible_to(user, rows.model).values("pk"))
    if label in _ADMIN_PARENTS:
        field, parent = _ADMIN_PARENTS[label]
        return rows.filter(**{f"{field}__in": visible_to(user, parent).values("pk")})
    return rows


def admin_versions(user, versions: QuerySet) -> QuerySet:
    """The saved versions of a report readable in the admin: all for superusers, else visible_versions."""
    return versions if sees_every_row(user) else visible_versions(user, versions)
