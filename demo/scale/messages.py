"""What two years of jobs leave behind, so that the inbox and the notices list have rows: weekly
reminders to each unit's liaison, a weekly digest to the office, and a supervision notice (answered
since) for each unit and old period with reports missing.

Keys start with "seed:" so that the jobs (whose keys these are not) behave on the seeded city as
they would on a fresh one: nothing here is a notice they would skip or follow up.
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from notifications.models import Notification
from supervision.models import SupervisionNotice

from .copy import copy_rows
from .people import People

DAY = datetime.timedelta(days=1)
UNREAD = datetime.timedelta(weeks=2)  # the last two weeks' messages are still unread

NOTICE_FIELDS = [
    "id", "key", "kind", "campaign_id", "unit_id", "task_id", "period_id", "body", "issued_at", "answer_by", "status",
    "answer", "answered_at", "answered_by_id", "followed_up_at",
]  # fmt: skip
NOTIFICATION_FIELDS = [
    "id", "key", "recipient_id", "kind", "title", "body", "link", "task_id", "unit_id", "created_at", "read_at",
]  # fmt: skip


def build_messages(people: People, missing, *, now, weeks: int) -> tuple[int, int]:
    """`missing`: {(campaign id, period, unit id): [period number, count]} of old periods."""
    workspace = reverse("tasks:workspace")
    notices, notifications = [], []

    def tell(key, recipient, kind, title, body, link, unit_id, created):
        read = created + datetime.timedelta(hours=3) if now - created > UNREAD else None
        notifications.append(
            (len(notifications) + 1, key, recipient, kind, title, body, link, None, unit_id, created, read)
        )

    for (campaign_id, period, unit_id), count in sorted(missing.items(), key=lambda item: item[0][1].due_at):
        issued = period.due_at + 2 * DAY
        if issued >= now:
            continue
        pk = len(notices) + 1
        liaisons = people.liaisons.get(unit_id) or [None]
        body = f"第{period.number}期报表逾期未报{count}项，请说明原因并及时补报。"
        notices.append((
            pk, f"seed:notice:reports:p{period.pk}:n{unit_id}", SupervisionNotice.Kind.OVERDUE_REPORTS, campaign_id,
            unit_id, None, period.pk, body, issued, issued + 3 * DAY, SupervisionNotice.Status.ANSWERED,
            "已补报，今后按时报送。", min(issued + DAY, now), liaisons[0], None,
        ))  # fmt: skip
        if liaisons[0] is not None:
            link = reverse("supervision:notice", args=[pk])
            tell(f"seed:notice:{pk}:u{liaisons[0]}", liaisons[0], "notice", "督办单：报表逾期未报", body, link,
                 unit_id, issued)  # fmt: skip
    # A reminder each Thursday to each unit's first liaison, and the office's weekly digest.
    thursday = now.date() - datetime.timedelta(days=(now.weekday() - 3) % 7)
    for week in range(weeks):
        day = thursday - week * 7 * DAY
        moment = datetime.datetime.combine(day, datetime.time(1, 0), tzinfo=datetime.UTC)  # 09:00 in Shanghai
        if moment >= now:
            continue
        for unit_id, liaisons in people.liaisons.items():
            tell(f"seed:reminder:{day}:u{liaisons[0]}", liaisons[0], "reminder", "本周进展报表将于明日18:00截止",
                 "请在截止前提交本单位各项任务的进展报表。", workspace, unit_id, moment)  # fmt: skip
        for user_id in people.office_user_ids:
            tell(f"seed:digest:{day}:u{user_id}", user_id, "overdue", "上周逾期未报汇总",
                 "上周各单位逾期未报情况见督办工作台。", workspace, None, moment)  # fmt: skip
    return (
        copy_rows(SupervisionNotice, NOTICE_FIELDS, notices),
        copy_rows(Notification, NOTIFICATION_FIELDS, notifications),
    )
