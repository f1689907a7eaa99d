"""Every page needs a signed-in user; the login page works before that, in Chinese or English."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD, CampaignFactory, TaskFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls():
    campaign = CampaignFactory(code="efficiency-2026")
    TaskFactory(campaign=campaign, number="5.2")
    unit = UnitFactory()
    return [
        reverse("home"),
        reverse("campaigns:list"),
        reverse("campaigns:detail", args=[campaign.code]),
        reverse("tasks:detail", args=[campaign.code, "5.2"]),
        reverse("units:list"),
        reverse("units:detail", args=[unit.pk]),
        reverse("campaigns:import"),
        reverse("campaigns:import-preview", args=[1]),
        reverse("campaigns:import-confirm", args=[1]),
        reverse("units:import"),
        reverse("notifications:inbox"),
        reverse("notifications:inbox-read-all"),
        reverse("notifications:notification", args=[1]),
        reverse("supervision:notices"),
        reverse("supervision:notice", args=[1]),
        reverse("supervision:urge"),
        reverse("notifications:preferences"),
    ]


def test_anonymous_is_sent_to_login(client, urls):
    login_url = reverse("login")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login_url}?next="), url


def test_admin_sends_anonymous_to_its_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_login_page_is_chinese_by_default(client):
    assert settings.LANGUAGE_CODE == "zh-hans"
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    assert "登录" in content
    assert "Sign in" not in content


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client):
    content = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in content and "登录" in content


def test_login_page_switches_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")

    content = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in content
    assert "Sign in" in content
    assert "登录" not in content


def test_signing_in_leads_to_the_campaign_list(client):
    user = UserFactory(username="liaison")
    response = client.post(reverse("login"), {"username": "liaison", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("campaigns:list")
    assert response.context["user"] == user


def test_logout_is_a_post_form(client):
    client.force_login(UserFactory())
    content = client.get(reverse("campaigns:list")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}"' in content
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("campaigns:list")).status_code == 302
