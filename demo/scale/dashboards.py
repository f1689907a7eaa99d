"""What the dashboards of issue 10 read beyond the ledger, at city scale: the office's marks for
leader attention, the tasks leaders follow, their last visits, and the lights (current and one
per week back to each campaign's start) as lights.services and lights.history compute them."""

from __future__ import annotations

import datetime
import random

from django.db import connection

from campaigns.models import Campaign
from dashboards.models import Follow, LastVisit
from lights import history
from lights import services as lights_services
from lights.models import Attention
from tasks.ledger import coordination
from tasks.models import Obligation, Task

ATTENTION_SHARE = 0.02  # of the open tasks of active campaigns
FOLLOWS_PER_LEADER = 8
REQUESTS = [
    "项目用地指标不足，需区自然资源局协调解决。",
    "资金缺口较大，请区财政局统筹安排。",
    "涉及多个街道交界，需区领导牵头协调。",
]
NOTES = ["群众反映强烈，请领导关注", "涉及多部门，需领导协调", "进度滞后，建议领导督办", ""]


def build_dashboards(people, *, now: datetime.datetime, rng: random.Random) -> None:
    """Coordination requests in some reports, the marks, follows and visits, then the lights."""
    raise_coordination()
    # The requests just raised, stored on their obligations as the services would have.
    coordination.refresh(Obligation.objects.all())
    write_marks(office_user_ids=people.office_user_ids, leader_user_ids=people.leader_user_ids, now=now, rng=rng)
    # The lights last: they read the ledger, the attention marks and the rules as they now stand.
    lights_services.refresh(now=now)
    # Every campaign's weeks, the closed ones' too: their dashboards keep their history.
    history.backfill(Campaign.objects.values_list("pk", flat=True), now=now)


def raise_coordination(share_percent: int = 2) -> int:
    """About `share_percent`% of the filed reports ask for coordination (需协调解决事项), so that
    the dashboards' coordination figures and lists have rows: one UPDATE, the reports chosen by
    their id (the same city, the same requests)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE tasks_progressreport
            SET needs_coordination = TRUE, coordination_request = (%s::text[])[1 + id %% %s]
            WHERE status <> 'draft' AND (id * 7919) %% 100 < %s
            """,
            [REQUESTS, len(REQUESTS), share_percent],
        )
        return cursor.rowcount


def write_marks(*, office_user_ids, leader_user_ids, now: datetime.datetime, rng: random.Random) -> None:
    """The office's attention marks, the leaders' follows and last visits (a few thousand rows
    at most: bulk_create). Apart from the lights so that a city seeded before issue 10 can get
    them without being seeded again."""
    open_tasks = list(
        Task.objects.filter(status=Task.Status.OPEN, campaign__status="active")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # At least one, so that a small city shows the mark too.
    marked = rng.sample(open_tasks, max(1, round(len(open_tasks) * ATTENTION_SHARE))) if open_tasks else []
    office = office_user_ids or leader_user_ids
    Attention.objects.bulk_create(
        Attention(
            task_id=task_id,
            marked_by_id=rng.choice(office),
            marked_at=now - datetime.timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 8)),
            note=rng.choice(NOTES),
        )
        for task_id in sorted(marked)
    )

    # Each leader with an account follows some of the open tasks they are responsible for.
    by_user: dict[int, list[int]] = {}
    rows = Task.leaders.through.objects.filter(
        leader__user__isnull=False, task__status=Task.Status.OPEN, task__campaign__status="active"
    ).order_by("leader__user_id", "task_id")
    for user_id, task_id in rows.values_list("leader__user_id", "task_id"):
        by_user.setdefault(user_id, []).append(task_id)
    follows = [
        Follow(user_id=user_id, task_id=task_id)
        for user_id, task_ids in by_user.items()
        for task_id in sorted(rng.sample(task_ids, min(FOLLOWS_PER_LEADER, len(task_ids))))
    ]
    Follow.objects.bulk_create(follows, batch_size=1000)
    # Leaders last came yesterday and a week before that: "since your last visit" has something to show.
    LastVisit.objects.bulk_create(
        LastVisit(
            user_id=user_id,
            seen_at=now - datetime.timedelta(days=1, hours=rng.randint(0, 6)),
            previous_seen_at=now - datetime.timedelta(days=8, hours=rng.randint(0, 6)),
        )
        for user_id in leader_user_ids
    )
