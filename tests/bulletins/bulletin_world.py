"""A small bulletin world on the fixed-date `world`: in period 3 (16–20 March 2026, due Friday
18:00) 区发展和改革局 files on time and asks for coordination, 区财政局 files late, 区审计局 files
nothing at all, and so does 区统计局 (on a third task); task 2 is past its deadline."""

import datetime
from types import SimpleNamespace

from tasks.services import report_save
from units.models import Unit

from ..conftest import at
from ..factories import TaskFactory, UnitFactory

NOW = at(2026, 3, 23, 9)  # Monday of period 4: periods 1–3 are due


def build(world, assign, member):
    w = world
    # The directory's official order: 审计局 before 统计局 before 发改局 before 财政局 (not by name).
    # (An update, not save(): the fixture's unit objects predate their auth groups.)
    for unit, order in ((w.other, 1), (w.lead, 3), (w.support, 4)):
        Unit.objects.filter(pk=unit.pk).update(sort_order=order)
    stats = UnitFactory(name="区统计局", sort_order=2)
    task3 = TaskFactory(campaign=w.campaign, number="3", title="统计数据核查", deadline=datetime.date(2026, 12, 1))
    assign(task3, stats)
    task2 = w.campaign.tasks.get(number="2")
    task2.title, task2.deadline = "优化营商环境", datetime.date(2026, 3, 10)
    task2.save()
    p3 = w.campaign.periods.get(number=3)
    report_save(
        user=w.lead_liaison, task=w.task, unit=w.lead, period=p3, submit=True, expected_version=None,
        progress="完成项目选址。", needs_coordination=True, coordination_request="请协调用地指标", now=at(2026, 3, 19, 9),
    )  # fmt: skip
    report_save(
        user=w.support_liaison, task=w.task, unit=w.support, period=p3, submit=True, expected_version=None,
        progress="完成资金测算。", now=at(2026, 3, 21, 10),
    )  # fmt: skip
    return SimpleNamespace(world=w, period=p3, stats=stats, task2=task2, task3=task3, stats_liaison=member(stats))


def draft(bw, **kwargs):
    """A draft bulletin of the world's last due week, as of NOW."""
    from bulletins.services import bulletin_draft

    return bulletin_draft(campaign=bw.world.campaign, period_from=bw.period, period_to=bw.period, now=NOW, **kwargs)
