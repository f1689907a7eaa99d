"""Every write of bulletins: draft, edit, refresh, publish. Each runs in one transaction and is
safe to repeat: the weekly job drafts a range once, a double click on publish gives one number."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, ReportingPeriod
from notifications.services import Message, notify_many
from tasks.models import TaskAssignment
from units.models import Membership

from . import figures as figures_module
from . import selectors, texts
from .models import Bulletin

EDITABLE = ("title", "overview", "named_lists", "overdue_text", "requirements")


def _check_range(campaign: Campaign, period_from: ReportingPeriod, period_to: ReportingPeriod) -> None:
    errors = {}
    if period_from.campaign_id != campaign.pk:
        errors["period_from"] = _("This period is not one of the campaign's reporting periods.")
    if period_to.campaign_id != campaign.pk:
        errors["period_to"] = _("This period is not one of the campaign's reporting periods.")
    if not errors and period_from.number > period_to.number:
        errors["period_to"] = _("The range must not end before it starts.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def bulletin_draft(*, campaign: Campaign, period_from: ReportingPeriod, period_to: ReportingPeriod, by=None,
                   auto: bool = False, now=None) -> Bulletin:  # fmt: skip
    """A new draft over the range, its figures and texts from the ledger. The weekly job's draft
    (`auto`) is made once per range: asked again, it returns the one there."""
    now = now or timezone.now()
    _check_range(campaign, period_from, period_to)
    if auto:
        existing = Bulletin.objects.filter(
            campaign=campaign, period_from=period_from, period_to=period_to, auto=True
        ).first()
        if existing is not None:
            return existing
    numbers = figures_module.compute(campaign, period_from, period_to, now=now)
    bulletin = Bulletin(
        campaign=campaign, period_from=period_from, period_to=period_to, title=texts.title(campaign, numbers),
        figures=numbers, auto=auto, created_by=by, **texts.generated(campaign, numbers),
    )  # fmt: skip
    # The constraints are the database's to enforce: validating them here would read a row another
    # job committed a moment ago and refuse, where the savepoint below returns that row instead.
    bulletin.full_clean(validate_constraints=False)
    try:
        # A savepoint: two jobs at once, the second finds the first's row (the partial unique constraint).
        with transaction.atomic():
            bulletin.save()
    except IntegrityError:
        if not auto:
            raise
        return Bulletin.objects.get(campaign=campaign, period_from=period_from, period_to=period_to, auto=True)
    return bulletin


def _locked_draft(bulletin: Bulletin) -> Bulletin:
    locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if not locked.is_draft:
        raise ValidationError(_("This bulletin has been published; it can no longer be changed."))
    return locked


@transaction.atomic
def bulletin_update(*, bulletin: Bulletin, by, **fields) -> Bulletin:
    """Change the texts of a draft (EDITABLE fields only); a published bulletin is refused."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    locked = _locked_draft(bulletin)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def bulletin_refresh_figures(*, bulletin: Bulletin, by=None, now=None) -> Bulletin:
    """Read the ledger again for a draft: new figures and generated texts (the title and the
    office's work requirements stay)."""
    locked = _locked_draft(bulletin)
    numbers = figures_module.compute(locked.campaign, locked.period_from, locked.period_to, now=now)
    locked.figures = numbers
    for name, value in texts.generated(locked.campaign, numbers).items():
        setattr(locked, name, value)
    locked.save()
    return locked


def _recipients(campaign: Campaign):
    """Liaisons and heads of the units on the campaign's tasks, each user once."""
    units = TaskAssignment.objects.filter(task__campaign=campaign).values("unit_id")
    memberships = (
        Membership.objects.filter(
            unit_id__in=units, role__in=[Membership.Role.LIAISON, Membership.Role.HEAD], user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    return list({m.user_id: m.user for m in memberships}.values())


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, by, now=None) -> Bulletin:
    """Publish a draft as the campaign's next issue (第N期) and tell the units' liaisons and heads.

    The campaign's row is locked first, so two bulletins published at once get different
    numbers; the bulletin is then re-read under lock, so publishing it twice (a double click)
    publishes once and returns it unchanged."""
    now = now or timezone.now()
    Campaign.objects.select_for_update().filter(pk=bulletin.campaign_id).first()
    locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if not locked.is_draft:
        return locked
    highest = Bulletin.objects.filter(campaign_id=locked.campaign_id).aggregate(n=Max("number"))["n"] or 0
    locked.number = highest + 1
    locked.status = Bulletin.Status.PUBLISHED
    locked.published_by, locked.published_at = by, now
    # The attachment as it stands now: the published document does not change with the ledger.
    locked.attachment = selectors.attachment_rows(by, locked, now=now)
    locked.save()
    title = _("Supervision bulletin No. %(number)s") % {"number": locked.number}
    notify_many(
        [
            Message(
                recipient=user,
                key=f"bulletin:{locked.pk}:{user.pk}",
                kind="bulletin",
                title=title,
                body=locked.title,
                link=locked.get_absolute_url(),
            )  # fmt: skip
            for user in _recipients(locked.campaign)
        ],
        now=now,
    )
    return locked
