"""Accounts in the admin: staff cannot raise their own rights, role and group changes are kept,
and Django's password validators apply when an account is created or its password changed."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from demo.loader import office_staff_group

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="unused-pass-2026")


@pytest.fixture
def account_keeper():
    """Staff allowed to keep accounts (change_user), not a superuser."""
    user = UserFactory(username="keeper", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="change_user"), Permission.objects.get(codename="view_user")
    )
    return user


def _user_form(user, **changes):
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "phone": "",
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_staff_cannot_make_themselves_superuser(client, account_keeper):
    client.force_login(account_keeper)
    url = reverse("admin:accounts_user_change", args=[account_keeper.pk])
    response = client.post(url, _user_form(account_keeper, is_superuser="on", is_staff="on", full_name="改名"))
    assert response.status_code == 302
    account_keeper.refresh_from_db()
    assert account_keeper.full_name == "改名" and not account_keeper.is_superuser


def test_staff_cannot_change_a_superusers_password(client, account_keeper, superuser):
    client.force_login(account_keeper)
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    response = client.post(url, {"password1": "Taken-over-2026!", "password2": "Taken-over-2026!"})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.check_password("unused-pass-2026")


def test_role_and_group_changes_are_recorded_with_who_and_when(client, superuser):
    client.force_login(superuser)
    user = UserFactory(username="promoted")
    group = office_staff_group()
    url = reverse("admin:accounts_user_change", args=[user.pk])
    response = client.post(url, _user_form(user, is_staff="on", groups=[group.pk]))
    assert response.status_code == 302
    record = user.history.latest("history_date")
    assert record.history_user == superuser and record.is_staff
    assert [g.group_id for g in record.groups.all()] == [group.pk]
    page = client.get(reverse("admin:accounts_user_history", args=[user.pk]))
    assert page.status_code == 200
    # The password hash is not copied into history.
    assert not hasattr(record, "password")


def test_a_login_adds_no_history_entry(client):
    user = UserFactory(username="daily")
    before = user.history.count()
    client.force_login(user)
    user.refresh_from_db()
    assert user.last_login is not None and user.history.count() == before


@pytest.mark.parametrize("password", ["12345678", "password", "daily-user"])
def test_an_account_created_in_the_admin_needs_a_good_password(client, superuser, password):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "daily-user",
            "full_name": "",
            "phone": "",
            "password1": password,
            "password2": password,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200  # the form again, with the validator's message
    assert not UserFactory._meta.model.objects.filter(username="daily-user").exists()


def test_a_password_change_needs_a_good_password(client):
    user = UserFactory(username="changer")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "test-pass-2026", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("test-pass-2026")


def test_the_admin_is_titled_for_the_app_in_chinese(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    assert "<title>督查督办 管理 | 督查督办 管理</title>" in page
    assert "Django" not in page
    # The sign-in logs (django-axes, which ships no Chinese) are named in Chinese too.
    assert "登录日志" in page and "登录失败记录" in page


def test_group_permissions_are_changed_by_superusers_only_and_recorded(client, superuser, django_user_model):
    group = office_staff_group()
    staff = UserFactory(username="groupie", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_group", "change_group"]))
    client.force_login(staff)
    add_membership = Permission.objects.get(codename="add_membership")
    url = reverse("admin:auth_group_change", args=[group.pk])
    response = client.post(url, {"name": group.name, "permissions": [add_membership.pk]})
    assert response.status_code == 403
    assert not group.permissions.filter(pk=add_membership.pk).exists()

    client.force_login(superuser)
    assert client.post(url, {"name": group.name, "permissions": [add_membership.pk]}).status_code == 302
    record = group.history.latest("history_date")
    assert record.history_user == superuser
    assert [p.permission_id for p in record.permissions.all()] == [add_membership.pk]
