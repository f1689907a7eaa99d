"""Writes for units: memberships and the auth group each unit's members share."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Membership, Unit

MEMBER_ROLES = (Membership.Role.LIAISON, Membership.Role.HEAD)


def unit_group(unit: Unit) -> Group:
    """The unit's auth group, created on first use (object permissions are granted to it)."""
    if unit.group_id is None:
        group, _created = Group.objects.get_or_create(name=f"unit:{unit.pk}")
        Unit.objects.filter(pk=unit.pk, group__isnull=True).update(group=group)
        unit.refresh_from_db(fields=["group"])
    return unit.group


@transaction.atomic
def user_unit_groups_sync(user) -> None:
    """Make the user's unit groups exactly those of the units where they are liaison or head."""
    wanted = {
        unit_group(unit).pk
        for unit in Unit.objects.filter(memberships__user=user, memberships__role__in=MEMBER_ROLES).distinct()
    }
    current = set(user.groups.filter(unit__isnull=False).values_list("pk", flat=True))
    if wanted - current:
        user.groups.add(*(wanted - current))
    if current - wanted:
        user.groups.remove(*(current - wanted))


@transaction.atomic
def membership_add(*, user, unit: Unit, role: str) -> Membership:
    membership, _created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    user_unit_groups_sync(user)
    return membership


@transaction.atomic
def membership_remove(*, user, unit: Unit, role: str) -> None:
    Membership.objects.filter(user=user, unit=unit, role=role).delete()
    user_unit_groups_sync(user)
