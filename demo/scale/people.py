"""Units (each with its auth group, as units.services.unit_group names it), users, memberships
and leaders, at city scale."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.models import User
from common.naming import name_key
from units.models import Leader, Membership, Unit

from .copy import copy_rows

PASSWORD = "demo-pass-2026"  # the demo's, so a person can sign in to look around
OFFICE_NAME = "区委区政府督查室"
KINDS = [
    (Unit.Kind.GOVERNMENT, "局"),
    (Unit.Kind.GOVERNMENT, "委员会"),
    (Unit.Kind.TOWNSHIP, "街道"),
    (Unit.Kind.TOWNSHIP, "镇"),
    (Unit.Kind.PARTY, "工作部"),
    (Unit.Kind.PEOPLE, "联合会"),
]


@dataclass
class People:
    office_unit_id: int = 0
    unit_ids: list[int] = field(default_factory=list)  # units that take tasks (not the office)
    liaisons: dict[int, list[int]] = field(default_factory=dict)  # unit → liaison user ids
    office_user_ids: list[int] = field(default_factory=list)
    leader_ids: list[int] = field(default_factory=list)
    leader_user_ids: list[int] = field(default_factory=list)
    unit_groups: dict[int, int] = field(default_factory=dict)  # unit → its auth group
    users: int = 0
    memberships: int = 0


def build_people(*, units: int, users: int, now, office_group: Group) -> People:
    people = People()
    # Groups 1.. are the units' (explicit ids: the office staff group was created before, so
    # they start after the highest existing one).
    first_group = (Group.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    unit_rows, group_rows = [], []
    for index in range(units):
        pk = index + 1
        if index == 0:
            name, kind, short = OFFICE_NAME, Unit.Kind.PARTY, "督查室"
        else:
            kind, suffix = KINDS[index % len(KINDS)]
            name, short = f"城区第{index}{suffix}", f"第{index}{suffix}"
        group_id = first_group + index
        group_rows.append((group_id, f"unit:{pk}"))
        unit_rows.append((pk, name, short, name_key(name), kind, None, True, index, group_id))
    copy_rows(Group, ["id", "name"], group_rows)
    copy_rows(
        Unit, ["id", "name", "short_name", "key", "kind", "parent_id", "is_active", "sort_order", "group_id"], unit_rows
    )
    people.office_unit_id = 1
    people.unit_ids = [pk for pk, *_rest in unit_rows[1:]]
    people.unit_groups = unit_group = {pk: group_id for pk, *_rest, group_id in unit_rows}

    password = make_password(PASSWORD)  # one hash for every account: hashing 2,000 would take minutes
    office_count = max(1, users // 100)
    leader_count = max(1, users // 100)
    user_rows, memberships, user_groups = [], [], []
    first_user = User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0  # guardian's anonymous

    def add_user(username, full_name, *, staff=False):
        pk = first_user + len(user_rows) + 1
        user_rows.append(
            (pk, password, None, False, username, "", "", f"{username}@example.gov.cn", staff, True, now, full_name, "")
        )
        return pk

    for index in range(office_count):
        pk = add_user(f"office{index + 1}", f"督查员{index + 1}", staff=True)
        memberships.append((pk, people.office_unit_id, Membership.Role.OFFICE))
        user_groups.append((pk, office_group.pk))
        people.office_user_ids.append(pk)
    for index in range(leader_count):
        people.leader_user_ids.append(add_user(f"leader{index + 1}", f"区领导{index + 1}"))
    # Every unit a liaison first, then a head, then more liaisons, while accounts last.
    members = max(0, users - office_count - leader_count)
    for slot in range(members):
        unit_id = people.unit_ids[slot % len(people.unit_ids)] if people.unit_ids else people.office_unit_id
        round_ = slot // max(1, len(people.unit_ids))
        role = Membership.Role.HEAD if round_ == 1 else Membership.Role.LIAISON
        pk = add_user(f"u{unit_id}_{role}{round_ + 1}", f"单位{unit_id}{'负责人' if role == 'head' else '联络员'}")
        memberships.append((pk, unit_id, role))
        user_groups.append((pk, unit_group[unit_id]))
        if role == Membership.Role.LIAISON:
            people.liaisons.setdefault(unit_id, []).append(pk)
    user_fields = [
        "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
        "is_active", "date_joined", "full_name", "phone",
    ]  # fmt: skip
    people.users = copy_rows(User, user_fields, user_rows)
    people.memberships = copy_rows(
        Membership, ["id", "user_id", "unit_id", "role"], ((i + 1, *row) for i, row in enumerate(memberships))
    )
    copy_rows(User.groups.through, ["id", "user_id", "group_id"], ((i + 1, *row) for i, row in enumerate(user_groups)))
    # Leaders: those with an account, and as many named only in the directory.
    leader_rows = []
    for index in range(leader_count * 2):
        user_id = people.leader_user_ids[index] if index < leader_count else None
        leader_rows.append((index + 1, f"区领导{index + 1}", "副区长" if index else "区长", user_id, index))
    copy_rows(Leader, ["id", "name", "title", "user_id", "sort_order"], leader_rows)
    people.leader_ids = [row[0] for row in leader_rows]
    return people
