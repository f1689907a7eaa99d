"""Memberships in the admin: only administrators change them, and every change is kept with
who made it and when, whether made in the admin or by a service."""

import pytest
from django.urls import reverse

from accounts.access import can
from demo.loader import office_staff_group
from units.models import Membership
from units.services import membership_add, membership_remove

from ..factories import LeaderFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_office(reporting):
    """The demo office account's rights: staff, in the office staff group, not a superuser."""
    user = reporting.office
    user.is_staff = True
    user.save()
    user.groups.add(office_staff_group())
    return user


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="unused-pass-2026")


def _unit_form(unit, memberships):
    """The unit's change form as the admin posts it, with `memberships` as new inline rows."""
    data = {
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent": "",
        "is_active": "on",
        "sort_order": unit.sort_order,
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": "0",
    }
    for index, (user, role) in enumerate(memberships):
        data[f"memberships-{index}-user"] = user.pk
        data[f"memberships-{index}-role"] = role
        data[f"memberships-{index}-unit"] = unit.pk
    return data


def test_office_staff_cannot_make_themselves_another_units_liaison(client, reporting, staff_office):
    client.force_login(staff_office)
    lead = reporting.lead
    # Through the unit's page (inline), the membership list and the user's page.
    client.post(reverse("admin:units_unit_change", args=[lead.pk]), _unit_form(lead, [(staff_office, "liaison")]))
    add = client.post(
        reverse("admin:units_membership_add"), {"user": staff_office.pk, "unit": lead.pk, "role": "liaison"}
    )
    assert add.status_code == 403
    assert not Membership.objects.filter(user=staff_office, unit=lead).exists()
    # …so the office cannot file as that unit.
    assert not can(staff_office, "report", (reporting.task, lead))
    # Nor take someone's place away.
    membership = Membership.objects.get(user=reporting.lead_liaison, unit=lead)
    delete = client.post(reverse("admin:units_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert delete.status_code == 403 and Membership.objects.filter(pk=membership.pk).exists()
    # They still see who is who.
    page = client.get(reverse("admin:units_unit_change", args=[lead.pk]))
    assert page.status_code == 200 and str(reporting.lead_liaison) in page.content.decode()


def test_a_membership_given_in_the_admin_is_recorded_with_who_and_when(client, reporting, superuser):
    client.force_login(superuser)
    newcomer = UserFactory(username="newcomer")
    lead = reporting.lead
    response = client.post(
        reverse("admin:units_unit_change", args=[lead.pk]), _unit_form(lead, [(newcomer, "liaison")])
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer, unit=lead)
    record = membership.history.get()
    assert record.history_type == "+" and record.history_user == superuser and record.history_date
    # The unit's group (which holds its tasks' permissions) came with it, also recorded.
    lead.refresh_from_db()
    assert newcomer.groups.filter(pk=lead.group_id).exists()
    group_change = newcomer.history.filter(history_user=superuser).latest("history_date")
    assert [g.group_id for g in group_change.groups.all()] == [lead.group_id]
    # The record is readable in the membership's history page.
    page = client.get(reverse("admin:units_membership_history", args=[membership.pk]))
    assert page.status_code == 200 and superuser.username in page.content.decode()

    client.post(reverse("admin:units_membership_delete", args=[membership.pk]), {"post": "yes"})
    removed = Membership.history.filter(id=membership.pk, history_type="-").get()
    assert removed.history_user == superuser
    assert not newcomer.groups.filter(pk=lead.group_id).exists()


def test_membership_services_record_who_acted(reporting, superuser):
    user, unit = UserFactory(), UnitFactory()
    membership = membership_add(user=user, unit=unit, role=Membership.Role.HEAD, by=superuser)
    assert (
        membership_add(user=user, unit=unit, role=Membership.Role.HEAD, by=superuser) == membership
    )  # a retry adds nothing
    membership_remove(user=user, unit=unit, role=Membership.Role.HEAD, by=superuser)
    unit.refresh_from_db()
    records = Membership.history.filter(id=membership.pk).order_by("history_date")
    assert [(r.history_type, r.history_user, r.role) for r in records] == [
        ("+", superuser, "head"),
        ("-", superuser, "head"),
    ]
    # The group joined and left, each change of the user's groups kept with who made it.
    group_records = user.history.filter(history_user=superuser).order_by("history_date", "history_id")
    assert [sorted(g.group_id for g in r.groups.all()) for r in group_records] == [[unit.group_id], []]


def test_office_staff_name_leaders_but_do_not_link_accounts(client, reporting, staff_office, superuser):
    leader = LeaderFactory(name="张三", title="副区长")
    client.force_login(staff_office)
    url = reverse("admin:units_leader_change", args=[leader.pk])
    response = client.post(url, {"name": "张三", "title": "常务副区长", "user": staff_office.pk, "sort_order": 0})
    assert response.status_code == 302
    leader.refresh_from_db()
    assert leader.title == "常务副区长" and leader.user is None
    client.force_login(superuser)
    client.post(url, {"name": "张三", "title": "常务副区长", "user": reporting.outsider.pk, "sort_order": 0})
    leader.refresh_from_db()
    assert leader.user == reporting.outsider
    assert leader.history.latest("history_date").history_user == superuser
