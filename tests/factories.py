"""factory_boy factories for every model the tests build."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign, Phase, ReportingPeriod, Section
from tasks.models import (
    Attachment,
    CompletionRequest,
    ExtensionRequest,
    Indicator,
    IndicatorValue,
    LeaderComment,
    Milestone,
    ProgressReport,
    Task,
    TaskAssignment,
)
from units.models import Leader, Membership, Unit, UnitAlias, UnitGroup

PASSWORD = "test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.cn")
    password = factory.django.Password(PASSWORD)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"区测试局{n}")
    kind = Unit.Kind.GOVERNMENT


class UnitAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitAlias

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"测试别名{n}")


class UnitGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试分组{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Membership.Role.LIAISON


class LeaderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leader

    name = factory.Sequence(lambda n: f"领导{n}")
    title = "副区长"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    code = factory.Sequence(lambda n: f"campaign-{n}")
    title = factory.Sequence(lambda n: f"测试专项行动{n}")
    start_date = datetime.date(2026, 2, 9)
    end_date = datetime.date(2026, 12, 30)
    status = Campaign.Status.ACTIVE


def campaign_under_way(*, weeks_ago: int = 3, **fields) -> Campaign:
    """An active campaign begun on the Monday `weeks_ago` weeks before today (Shanghai), running
    twenty weeks, with its reporting periods: the browser tests' world around the real today."""
    from campaigns.services import ensure_reporting_periods

    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday(), weeks=weeks_ago)
    campaign = CampaignFactory(start_date=monday, end_date=monday + datetime.timedelta(weeks=20), **fields)
    ensure_reporting_periods(campaign)
    return campaign


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"阶段{n}")
    start_date = datetime.date(2026, 3, 1)
    end_date = datetime.date(2026, 10, 31)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"（{n}）分类")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    campaign = factory.SubFactory(CampaignFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"重点任务{n}")
    deadline = datetime.date(2026, 10, 31)


class TaskAssignmentFactory(factory.django.DjangoModelFactory):
    """Through tasks.assignments, as the import does: the grants and the ledger's term follow
    (owing from the campaign's first period, as on a first import)."""

    class Meta:
        model = TaskAssignment

    task = factory.SubFactory(TaskFactory)
    unit = factory.SubFactory(UnitFactory)
    role = TaskAssignment.Role.LEAD

    @classmethod
    def _create(cls, model_class, *args, task, unit, role, **kwargs):
        from tasks.assignments import assignment_add

        return assignment_add(task=task, unit=unit, role=role, from_first_period=True, **kwargs)


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    campaign = factory.SubFactory(CampaignFactory)
    number = factory.Sequence(lambda n: n + 1)
    start_date = factory.LazyAttribute(lambda p: p.campaign.start_date + datetime.timedelta(weeks=p.number - 1))
    end_date = factory.LazyAttribute(lambda p: p.start_date + datetime.timedelta(days=6))
    due_at = factory.LazyAttribute(
        lambda p: timezone.make_aware(datetime.datetime.combine(p.end_date, datetime.time(18, 0)))
    )


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport
        # The ledger hook below changes nothing on the report: no second save (nor a second
        # history record), and no factory_boy deprecation warning.
        skip_postgeneration_save = True

    task = factory.SubFactory(TaskFactory)
    unit = factory.SubFactory(UnitFactory)
    period = factory.SubFactory(ReportingPeriodFactory, campaign=factory.SelfAttribute("..task.campaign"))
    progress = "本周推进顺利。"
    percent_complete = 30

    @factory.post_generation
    def ledger(report, create, extracted, **kwargs):
        """Written without the services, so the ledger is rebuilt for its task (tasks.ledger.sync.restate)."""
        if create:
            from tasks.ledger.check import Scope
            from tasks.ledger.sync import restate

            restate(Scope(task_ids=frozenset({report.task_id})))


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    task = factory.SubFactory(TaskFactory)
    due_date = datetime.date(2026, 9, 30)
    description = factory.Sequence(lambda n: f"9月底前完成第{n}项工作")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    task = factory.SubFactory(TaskFactory)
    name = factory.Sequence(lambda n: f"计划投资{n}")
    measure = "亿元"
    target = 5


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    report = factory.SubFactory(ProgressReportFactory)
    indicator = factory.SubFactory(IndicatorFactory, task=factory.SelfAttribute("..report.task"))
    value = Decimal("1.00")


class AttachmentFactory(factory.django.DjangoModelFactory):
    """Evidence on a report (pass completion_request= and report=None for a completion request)."""

    class Meta:
        model = Attachment

    report = factory.SubFactory(ProgressReportFactory)
    file = factory.django.FileField(filename="scan.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "现场照片.pdf"
    content_type = "application/pdf"
    size = 15
    sha256 = "0" * 64
    uploaded_by = factory.SubFactory(UserFactory)
    uploaded_at = factory.LazyFunction(timezone.now)


class CompletionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompletionRequest

    task = factory.SubFactory(TaskFactory)
    unit = factory.SubFactory(UnitFactory)
    summary = "各项工作已全部完成，申请办结。"
    requested_by = factory.SubFactory(UserFactory)
    requested_at = factory.LazyFunction(timezone.now)


class ExtensionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtensionRequest

    task = factory.SubFactory(TaskFactory)
    unit = factory.SubFactory(UnitFactory)
    current_deadline = factory.LazyAttribute(lambda r: r.task.deadline)
    requested_deadline = factory.LazyAttribute(lambda r: r.current_deadline + datetime.timedelta(days=30))
    reason = "受天气影响，施工进度滞后。"
    requested_by = factory.SubFactory(UserFactory)
    requested_at = factory.LazyFunction(timezone.now)


class LeaderCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaderComment

    task = factory.SubFactory(TaskFactory)
    author = factory.SubFactory(UserFactory)
    text = "请加快推进，确保按期完成。"


class SupervisionNoticeFactory(factory.django.DjangoModelFactory):
    """A notice (督办单) to a unit; pass task= (its campaign is taken) or campaign=."""

    class Meta:
        model = "supervision.SupervisionNotice"

    key = factory.Sequence(lambda n: f"test-notice-{n}")
    kind = "overdue_reports"
    task = factory.SubFactory(TaskFactory)
    campaign = factory.LazyAttribute(lambda n: n.task.campaign)
    unit = factory.SubFactory(UnitFactory)
    body = factory.Sequence(lambda n: f"督办事项{n}：请按时报送。")
    issued_at = factory.LazyFunction(timezone.now)
    answer_by = factory.LazyAttribute(lambda n: n.issued_at + datetime.timedelta(days=3))


class UrgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.Urge"

    unit = factory.SubFactory(UnitFactory)
    task = factory.SubFactory(TaskFactory)
    note = factory.Sequence(lambda n: f"催办说明{n}")
    urged_by = factory.SubFactory(UserFactory)
    urged_at = factory.LazyFunction(timezone.now)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    key = factory.Sequence(lambda n: f"test-notification-{n}")
    recipient = factory.SubFactory(UserFactory)
    kind = "urge"
    title = factory.Sequence(lambda n: f"测试通知{n}")
    body = "请及时处理。"
    created_at = factory.LazyFunction(timezone.now)


class FollowFactory(factory.django.DjangoModelFactory):
    """A user following a task (关注) on their home page."""

    class Meta:
        model = "dashboards.Follow"
        django_get_or_create = ("user", "task")

    user = factory.SubFactory(UserFactory)
    task = factory.SubFactory(TaskFactory)


class LightRuleFactory(factory.django.DjangoModelFactory):
    """A campaign's light thresholds (the defaults unless given)."""

    class Meta:
        model = "lights.LightRule"
        django_get_or_create = ("campaign",)

    campaign = factory.SubFactory(CampaignFactory)


class AttentionFactory(factory.django.DjangoModelFactory):
    """The office's leader-attention mark, written directly: call lights.services.refresh for the light
    (lights.services.attention_mark does both)."""

    class Meta:
        model = "lights.Attention"
        django_get_or_create = ("task",)

    task = factory.SubFactory(TaskFactory)
    marked_by = factory.SubFactory(UserFactory)
    marked_at = factory.LazyFunction(timezone.now)
    note = ""
