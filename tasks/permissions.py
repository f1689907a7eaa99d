"""Who may see and do what with tasks and reports: the one place that decides it.

Visibility of campaigns and tasks is the rule in campaigns.selectors.visible_campaigns_q; this
module adds the rule for reports and the object permissions (django-guardian) that say which
unit reports on and leads which task. Every list, detail page, download, and later dashboard and
export, reads reports through `reports_visible_to`, and every write asks the functions below.

Object permissions are granted to each unit's auth group (units.services.unit_group) from the
task's assignments (tasks.services.task_permissions_sync): `report_task` to every assigned unit,
`lead_task` to lead units.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts import roles
from campaigns.selectors import visible_campaigns_q
from units.models import Unit

from .models import Attachment, CompletionRequest, ProgressReport, Task, TaskGroupObjectPermission

REPORT = "report_task"
LEAD = "lead_task"


def _granted_task_ids(unit_ids, codename: str):
    """Subquery: ids of tasks on which one of the units' groups holds the permission."""
    return TaskGroupObjectPermission.objects.filter(
        group__unit__in=unit_ids, permission__codename=codename
    ).values("content_object_id")


def reports_visible_to(user) -> QuerySet[ProgressReport]:
    """The reports a user may read.

    - office staff and leaders: every report that is not a draft;
    - unit liaisons and heads: all of their own units' reports, drafts included, and the
      submitted reports of other units on tasks their unit leads;
    - anyone else: none. A unit never sees another unit's drafts.
    """
    reports = ProgressReport.objects.filter(visible_campaigns_q(user, prefix="task__campaign__"))
    not_draft = ~Q(status=ProgressReport.Status.DRAFT)
    unit_ids = roles.member_unit_ids(user)
    if roles.is_office(user) or roles.is_leader(user):
        return reports.filter(not_draft | Q(unit_id__in=unit_ids))
    if not unit_ids:
        return reports.none()
    return reports.filter(Q(unit_id__in=unit_ids) | (not_draft & Q(task_id__in=_granted_task_ids(unit_ids, LEAD))))


def report_versions_visible_to(user, versions: QuerySet) -> QuerySet:
    """The saved versions (django-simple-history records) of a visible report that a user may
    read: a submitted report's history holds the drafts saved before it, and those stay its
    unit's own, as drafts do in reports_visible_to."""
    return versions.filter(~Q(status=ProgressReport.Status.DRAFT) | Q(unit_id__in=roles.member_unit_ids(user)))


def sees_request_evidence(user, request: CompletionRequest) -> bool:
    """The rule of attachments_visible_to for one completion request of a visible task."""
    return roles.is_office(user) or roles.is_leader(user) or request.unit_id in roles.member_unit_ids(user)


def attachments_visible_to(user) -> QuerySet[Attachment]:
    """The evidence files a user may download.

    - on a report: exactly when the report is in reports_visible_to(user);
    - on a completion request: when the user sees the task and is office staff, a leader, or a
      member of the unit that applied.
    """
    from .selectors.scope import tasks_visible_to

    on_visible_report = Q(report__in=reports_visible_to(user).values("pk"))
    tasks = tasks_visible_to(user).values("pk")
    if roles.is_office(user) or roles.is_leader(user):
        on_request = Q(completion_request__task__in=tasks)
    else:
        on_request = Q(completion_request__task__in=tasks, completion_request__unit_id__in=roles.member_unit_ids(user))
    return Attachment.objects.filter(on_visible_report | on_request)


def units_reporting_for(user, task: Task) -> QuerySet[Unit]:
    """The units on whose behalf the user may report on the task (usually one)."""
    return Unit.objects.filter(
        pk__in=roles.member_unit_ids(user),
        group__taskgroupobjectpermission__content_object=task,
        group__taskgroupobjectpermission__permission__codename=REPORT,
    ).distinct()


def can_report(user, task: Task, unit: Unit) -> bool:
    return task.status == Task.Status.OPEN and units_reporting_for(user, task).filter(pk=unit.pk).exists()


def lead_units_for(user, task: Task) -> QuerySet[Unit]:
    """The user's units that lead the task: they consolidate, apply for completion or extension."""
    return Unit.objects.filter(
        pk__in=roles.member_unit_ids(user),
        group__taskgroupobjectpermission__content_object=task,
        group__taskgroupobjectpermission__permission__codename=LEAD,
    ).distinct()


def can_review(user) -> bool:
    """Accept or return reports, decide completion and extension requests: the office."""
    return roles.is_office(user)


def can_comment(user) -> bool:
    """Leader comments (批示): leaders, and the office recording a leader's instruction."""
    return roles.is_leader(user) or roles.is_office(user)
