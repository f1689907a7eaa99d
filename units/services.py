"""Writes for units: memberships and the auth group each unit's members share."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from common.history import acting

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
def user_unit_groups_sync(user, *, by=None) -> None:
    """Make the user's unit groups exactly those of the units where they are liaison or head.

    Each change of the user's groups is kept in the user's history, with `by` as who made it.
    """
    wanted = {
        unit_group(unit).pk
        for unit in Unit.objects.filter(memberships__user=user, memberships__role__in=MEMBER_ROLES).distinct()
    }
    current = set(user.groups.filter(unit__isnull=False).values_list("pk", flat=True))
    with acting(user, by):
        if wanted - current:
            user.groups.add(*(wanted - current))
        if current - wanted:
            user.groups.remove(*(current - wanted))


@transaction.atomic
def membership_add(*, user, unit: Unit, role: str, by=None) -> Membership:
    """Give the user a place in the unit (once: a retry adds nothing); `by` is who did it."""
    membership = Membership.objects.filter(user=user, unit=unit, role=role).first()
    if membership is None:
        membership = Membership(user=user, unit=unit, role=role)
        with acting(membership, by):
            try:
                # A savepoint, so that losing a race to an identical insert leaves the
                # transaction usable; the winner's row is the one returned.
                with transaction.atomic():
                    membership.save()
            except IntegrityError:
                membership = Membership.objects.get(user=user, unit=unit, role=role)
    user_unit_groups_sync(user, by=by)
    return membership


@transaction.atomic
def membership_remove(*, user, unit: Unit, role: str, by=None) -> None:
    """Take the user's place in the unit away; `by` is who did it."""
    for membership in Membership.objects.filter(user=user, unit=unit, role=role):
        with acting(membership, by):
            membership.delete()
    user_unit_groups_sync(user, by=by)
