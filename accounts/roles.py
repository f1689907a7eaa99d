"""What a user is, as far as visibility goes: office staff, a leader, a member of some units.

Answers are memoised on the user object. Django builds a fresh user for every request, so the
memo lives exactly as long as the request and a page asks the database at most once per question.
"""

from units.models import Leader, Membership

_MEMO_ATTR = "_duban_roles"


def _memo(user) -> dict:
    memo = getattr(user, _MEMO_ATTR, None)
    if memo is None:
        memo = {}
        setattr(user, _MEMO_ATTR, memo)
    return memo


def _memberships(user) -> list[tuple[int, str]]:
    """(unit id, role) of every membership of the user, read once."""
    memo = _memo(user)
    if "memberships" not in memo:
        memo["memberships"] = list(Membership.objects.filter(user=user).values_list("unit_id", "role"))
    return memo["memberships"]


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
    memo = _memo(user)
    if "leader" not in memo:
        memo["leader"] = Leader.objects.filter(user=user).values_list("pk", flat=True).first()
    return memo["leader"]


def is_leader(user) -> bool:
    """A district-level leader: the user is linked to an entry of the leader directory."""
    return leader_id(user) is not None


def member_unit_ids(user) -> frozenset[int]:
    """Ids of the units in which the user is liaison or head."""
    if not user.is_authenticated:
        return frozenset()
    member_roles = {Membership.Role.LIAISON, Membership.Role.HEAD}
    return frozenset(unit_id for unit_id, role in _memberships(user) if role in member_roles)
