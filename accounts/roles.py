"""What a user is, as far as visibility goes: office staff, a leader, a member of some units.

Answers are memoised on the user object. Django builds a fresh user for every request, so the
memo lives exactly as long as the request and a page asks the database at most once per question.
"""

from django.db.models import CharField, Value

from units.models import Leader, Membership

_MEMO_ATTR = "_duban_roles"


def _memo(user) -> dict:
    memo = getattr(user, _MEMO_ATTR, None)
    if memo is None:
        memo = {}
        setattr(user, _MEMO_ATTR, memo)
    return memo


# Marks the leader directory's row among the memberships read with it (not a membership role).
_LEADER = "__leader__"


def _read(user) -> dict:
    """The user's memberships (unit id, role) and leader directory entry, read once, in one
    query: every page's navigation asks both (is this user office staff, a leader, a unit member)."""
    memo = _memo(user)
    if "memberships" not in memo:
        leader = Leader.objects.filter(user=user).order_by().values_list("pk", Value(_LEADER, output_field=CharField()))
        rows = list(
            Membership.objects.filter(user=user).order_by().values_list("unit_id", "role").union(leader, all=True)
        )
        memo["memberships"] = [(unit_id, role) for unit_id, role in rows if role != _LEADER]
        memo["leader"] = next((pk for pk, role in rows if role == _LEADER), None)
    return memo


def _memberships(user) -> list[tuple[int, str]]:
    """(unit id, role) of every membership of the user, read once."""
    return _read(user)["memberships"]


def is_office(user) -> bool:
    """Supervision-office staff (or a superuser): sees and manages every campaign."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(role == Membership.Role.OFFICE for _, role in _memberships(user))


def leader_id(user) -> int | None:
    """The id of the leader directory's entry linked to the user, or None. Read once."""
    if not user.is_authenticated:
        return None
    return _read(user)["leader"]


def is_leader(user) -> bool:
    """A district-level leader: the user is linked to an entry of the leader directory."""
    return leader_id(user) is not None


def member_unit_ids(user) -> frozenset[int]:
    """Ids of the units in which the user is liaison or head."""
    if not user.is_authenticated:
        return frozenset()
    member_roles = {Membership.Role.LIAISON, Membership.Role.HEAD}
    return frozenset(unit_id for unit_id, role in _memberships(user) if role in member_roles)
