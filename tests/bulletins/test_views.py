"""The bulletin pages: the office drafts (bad ranges named by field), edits, publishes with a
confirmation; units read published bulletins only; the .docx downloads with a Chinese name; the
printable page has no outside host and no inline style; lists and pages cost a constant number of
queries."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bulletins.models import Bulletin
from bulletins.services import bulletin_publish

from ..factories import CampaignFactory
from .bulletin_world import NOW, draft

pytestmark = pytest.mark.django_db


def test_the_office_drafts_a_bulletin_for_a_range(client, bw):
    client.force_login(bw.world.office)
    url = reverse("bulletins:new")
    page = client.get(url + f"?campaign={bw.world.campaign.code}")
    assert page.status_code == 200
    # Last week by default: the last due period's dates.
    initial = page.context["form"].initial
    period = bw.world.campaign.periods.get(start_date=initial["period_from"], end_date=initial["period_to"])
    assert (
        period.due_at <= timezone.now()
        and not bw.world.campaign.periods.filter(due_at__lte=timezone.now(), number__gt=period.number).exists()
    )
    response = client.post(url, {"campaign": bw.world.campaign.code, "period_from": "2026-03-16",
                                 "period_to": "2026-03-20"})  # fmt: skip
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == bulletin.get_absolute_url()
    assert bulletin.period_from == bulletin.period_to == bw.period and bulletin.created_by == bw.world.office
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert "一、总体情况" in page and "区审计局" in page and "发布" in page


@pytest.mark.parametrize(
    "start, end, field, message",
    [
        ("2026-03-20", "2026-03-16", "period_to", "截止日期不能早于起始日期"),
        ("2025-01-01", "2026-03-20", "period_from", "不在此专项行动的报送周期内"),
        ("2026-03-16", "2027-06-01", "period_to", "不在此专项行动的报送周期内"),
        ("2026-03-16", "not a date", "period_to", "日期"),
    ],
)
def test_a_bad_range_is_a_form_error_naming_the_field(client, bw, start, end, field, message):
    client.force_login(bw.world.office)
    response = client.post(reverse("bulletins:new"),
                           {"campaign": bw.world.campaign.code, "period_from": start, "period_to": end})  # fmt: skip
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Bulletin.objects.exists()


def test_publish_asks_first_then_numbers_and_a_double_post_gives_one_number(client, bw):
    client.force_login(bw.world.office)
    first, second = draft(bw), draft(bw)
    url = reverse("bulletins:publish", args=[first.pk])
    assert "将“" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    client.post(reverse("bulletins:publish", args=[second.pk]))
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert "第1期" in client.get(first.get_absolute_url()).content.decode()


def test_publishing_without_work_requirements_is_warned_and_prints_no_placeholder(client, bw):
    client.force_login(bw.world.office)
    bulletin = draft(bw)
    url = reverse("bulletins:publish", args=[bulletin.pk])
    assert "no-requirements" in client.get(url).content.decode()
    assert "（由督查室填写）" in client.get(bulletin.get_absolute_url()).content.decode()  # the draft shows the gap
    client.post(url)
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert "第1期" in page and "由督查室填写" not in page and "二、工作要求" not in page
    written = draft(bw)
    written.requirements = "按时报送。"
    written.save()
    assert "no-requirements" not in client.get(reverse("bulletins:publish", args=[written.pk])).content.decode()


def test_reading_the_figures_again_asks_first(client, bw):
    client.force_login(bw.world.office)
    page = client.get(draft(bw).get_absolute_url()).content.decode()
    button = re.search(r"<button[^>]*refresh-figures[^>]*>", page).group(0)
    assert "data-confirm=" in button and "修改将丢失" in button


def test_a_new_bulletin_offers_last_week_without_a_campaign_chosen(client, bw):
    client.force_login(bw.world.office)
    initial = client.get(reverse("bulletins:new")).context["form"].initial
    today = timezone.localdate()
    assert initial["period_from"].weekday() == 0 and initial["period_to"] - initial[
        "period_from"
    ] == datetime.timedelta(6)
    assert initial["period_to"] < today <= initial["period_to"] + datetime.timedelta(7)


def test_editing_a_draft_and_refused_after_publishing(client, bw):
    client.force_login(bw.world.office)
    bulletin = draft(bw)
    edit = reverse("bulletins:edit", args=[bulletin.pk])
    data = {
        "title": "第一期通报",
        "overview": "总体平稳。",
        "named_lists": "",
        "overdue_text": "",
        "requirements": "按时报送。",
    }
    assert client.post(edit, data).status_code == 302
    bulletin.refresh_from_db()
    assert (bulletin.title, bulletin.requirements) == ("第一期通报", "按时报送。")
    bulletin_publish(bulletin=bulletin, by=bw.world.office, now=NOW)
    response = client.post(edit, {**data, "requirements": "改了"}, follow=True)
    assert "该通报已发布，不能再修改。" in response.content.decode()
    response = client.post(reverse("bulletins:refresh", args=[bulletin.pk]), follow=True)
    assert "该通报已发布，不能再修改。" in response.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.requirements == "按时报送。"


def test_units_see_published_bulletins_and_not_drafts(client, bw):
    shown = bulletin_publish(bulletin=draft(bw), by=bw.world.office, now=NOW)
    hidden = draft(bw)
    Bulletin.objects.filter(pk=hidden.pk).update(title="尚未发布的草稿")
    client.force_login(bw.world.lead_liaison)
    listing = client.get(reverse("bulletins:list")).content.decode()
    assert shown.title in listing and "尚未发布的草稿" not in listing
    assert client.get(shown.get_absolute_url()).status_code == 200
    for name in ("detail", "docx", "print", "edit", "publish"):
        assert client.get(reverse(f"bulletins:{name}", args=[hidden.pk])).status_code == 404, name
    assert client.get(reverse("bulletins:edit", args=[shown.pk])).status_code == 403
    assert client.post(reverse("bulletins:publish", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("bulletins:new")).status_code == 403


def test_the_docx_downloads_with_a_chinese_name(client, bw):
    bulletin = bulletin_publish(bulletin=draft(bw), by=bw.world.office, now=NOW)
    client.force_login(bw.world.other_liaison)
    response = client.get(reverse("bulletins:docx", args=[bulletin.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "filename*=utf-8''%E7%9D%A3%E6%9F%A5%E9%80%9A%E6%8A%A5" in response["Content-Disposition"]  # 督查通报
    assert response.content[:2] == b"PK"


def test_the_print_page_is_the_document_with_no_outside_host_or_inline_style(client, bw):
    bulletin = bulletin_publish(bulletin=draft(bw), by=bw.world.office, now=NOW)
    client.force_login(bw.world.lead_head)
    response = client.get(reverse("bulletins:print", args=[bulletin.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "督查室督查通报" in html and "第1期" in html and "附件：工作台账" in html and "优化营商环境" in html
    assert "bulletin-print.css" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert " style=" not in html and "<style" not in html


def test_a_campaign_with_no_reports_drafts_without_error(client, bw):
    from campaigns.services import ensure_reporting_periods

    campaign = CampaignFactory(start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 6, 30))
    ensure_reporting_periods(campaign)
    client.force_login(bw.world.office)
    response = client.post(reverse("bulletins:new"), {"campaign": campaign.code, "period_from": "2026-03-02",
                                                      "period_to": "2026-03-08"}, follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "没有单位需要报送进展报表" in response.content.decode()


def test_the_list_and_detail_take_a_constant_number_of_queries(client, bw, django_assert_max_num_queries):
    client.force_login(bw.world.office)
    bulletin_publish(bulletin=draft(bw), by=bw.world.office, now=NOW)
    draft(bw)

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few_list, detail = count(reverse("bulletins:list")), count(Bulletin.objects.first().get_absolute_url())
    for _ in range(5):
        bulletin_publish(bulletin=draft(bw), by=bw.world.office, now=NOW)
    assert count(reverse("bulletins:list")) == few_list
    assert count(Bulletin.objects.first().get_absolute_url()) == detail
    with django_assert_max_num_queries(15):
        client.get(reverse("bulletins:list"))
