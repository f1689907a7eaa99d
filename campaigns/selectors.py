"""The one rule that decides which campaigns a user may see.

Every list, detail page, dashboard and export scopes its rows with `visible_campaigns_q` (through
`campaigns_visible_to` or `tasks.selectors.scope.tasks_visible_to`), so a page cannot show what the
matching detail page would refuse.
"""

from django.db.models import Q

from accounts import roles
from tasks.models import TaskAssignment

from .models import Campaign

NOTHING = Q(pk__in=[])


def visible_campaigns_q(user, prefix: str = "") -> Q:
    """The visibility rule as a filter on campaigns, or on a model that reaches one via `prefix`.

    - office staff and superusers see every campaign, drafts included;
    - leaders see every campaign that is not a draft;
    - liaisons and unit heads see non-draft campaigns in which one of their units has a task;
    - anyone else sees nothing.

    `prefix` is the lookup path to the campaign, e.g. "campaign__" for tasks.
    """
    if not user.is_authenticated:
        return NOTHING
    if roles.is_office(user):
        return Q()
    not_draft = ~Q(**{f"{prefix}status": Campaign.Status.DRAFT})
    if roles.is_leader(user):
        return not_draft
    unit_ids = roles.member_unit_ids(user)
    if unit_ids:
        # A subquery rather than a join: no duplicate rows, so counts and pagination stay right.
        assigned = TaskAssignment.objects.filter(unit_id__in=unit_ids).values("task__campaign_id")
        return not_draft & Q(**{f"{prefix}pk__in": assigned})
    return NOTHING


def campaigns_visible_to(user):
    return Campaign.objects.filter(visible_campaigns_q(user))
