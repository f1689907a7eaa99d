"""Telling a unit what became of its work: a report accepted or returned, a leader's instruction
(批示) on its task, its application to close off a task or to extend a deadline decided.

The task services call these inside their transaction, so the messages exist exactly when the
change does; the deliveries (email, robot) go to the workers after commit. Each message is keyed
by what happened and to whom (a review by the report's version, a comment or a decision by its
id), so a retry or a second click sends nothing twice.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from notifications.services import Message, notify_many
from units.models import Membership

from .models import CompletionRequest, Decision, ProgressReport, TaskAssignment


def _people(unit_ids, roles) -> dict[int, list]:
    """unit id → its active users in the roles, in one query."""
    people = defaultdict(list)
    memberships = Membership.objects.filter(
        unit_id__in=set(unit_ids), role__in=roles, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user_id"):
        if membership.user not in people[membership.unit_id]:
            people[membership.unit_id].append(membership.user)
    return people


def reports_reviewed(reports, *, now=None) -> int:
    """Accepted: the unit's liaisons are told. Returned: its liaisons and head, with the reason.
    Any number of reports in a fixed number of queries; returns how many people were told."""
    reports = list(
        ProgressReport.objects.filter(pk__in=[report.pk for report in reports]).select_related(
            "task__campaign", "period", "unit"
        )
    )
    liaisons = _people([r.unit_id for r in reports], [Membership.Role.LIAISON])
    heads = _people([r.unit_id for r in reports if r.status == ProgressReport.Status.RETURNED], [Membership.Role.HEAD])
    messages = []
    for report in reports:
        subject = {"task": report.task, "period": report.period.number}
        if report.status == ProgressReport.Status.RETURNED:
            kind, recipients = (
                "report_returned",
                liaisons[report.unit_id] + [h for h in heads[report.unit_id] if h not in liaisons[report.unit_id]],
            )
            title = _("Report returned: %(task)s (period %(period)s)") % subject
            body = _("Reason: %(comment)s\nPlease revise the report and submit it again.") % {
                "comment": report.review_comment
            }
            link = report.get_absolute_url()
        elif report.status == ProgressReport.Status.ACCEPTED:
            kind, recipients = "report_accepted", liaisons[report.unit_id]
            title = _("Report accepted: %(task)s (period %(period)s)") % subject
            body, link = report.review_comment, report.task.get_absolute_url()
        else:
            continue
        messages += [
            Message(
                recipient=user, key=f"review:r{report.pk}:v{report.version}:u{user.pk}", kind=kind, title=title,
                body=body, link=link, task=report.task, unit=report.unit,
            )
            for user in recipients
        ]  # fmt: skip
    return len(notify_many(messages, now=now))


def leader_commented(comment, *, now=None) -> int:
    """A leader's instruction on a task: the liaisons of every unit on the task are told."""
    task = comment.task
    unit_ids = list(TaskAssignment.objects.filter(task=task).values_list("unit_id", flat=True).distinct())
    liaisons = _people(unit_ids, [Membership.Role.LIAISON])
    messages = [
        Message(
            recipient=user, key=f"comment:c{comment.pk}:u{user.pk}", kind="leader_comment",
            title=_("Leader's instruction on %(task)s") % {"task": task},
            body=_("%(leader)s: %(text)s") % {"leader": comment.author, "text": comment.text}, link=task.get_absolute_url(), task=task,
        )
        for unit_id in unit_ids
        for user in liaisons[unit_id]
    ]  # fmt: skip
    return len(notify_many(messages, now=now))


def request_decided(request, *, now=None) -> int:
    """An application to close off a task (销号) or to extend its deadline was decided: the
    unit's liaisons, and whoever applied, are told the outcome (and the reason of a rejection)."""
    task = request.task
    recipients = _people([request.unit_id], [Membership.Role.LIAISON])[request.unit_id]
    if request.requested_by.is_active and request.requested_by not in recipients:
        recipients.append(request.requested_by)
    approved = request.status == Decision.APPROVED
    if isinstance(request, CompletionRequest):
        what = "completion"
        title = (_("Task closed off: %(task)s") if approved else _("Application to close off rejected: %(task)s")) % {
            "task": task
        }
    else:
        what = "extension"
        title = (
            _("Extension approved: %(task)s, new deadline %(date)s")
            % {"task": task, "date": request.requested_deadline}
            if approved
            else _("Extension rejected: %(task)s") % {"task": task}
        )
    body = request.decision_comment if approved else _("Reason: %(comment)s") % {"comment": request.decision_comment}
    messages = [
        Message(
            recipient=user, key=f"decision:{what}{request.pk}:u{user.pk}", kind=f"{what}_decided", title=title,
            body=body, link=task.get_absolute_url(), task=task, unit=request.unit,
        )
        for user in recipients
    ]  # fmt: skip
    return len(notify_many(messages, now=now))
