"""The office imports a workbook in the browser: upload → preview → confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Campaign, CampaignImport
from tasks.campaign_import.services import campaign_import
from tasks.models import Task
from units.models import Membership, Unit

from ..factories import MembershipFactory, UnitFactory, UserFactory
from ..sheets import EFFICIENCY_2026, INFO, STRICT_2022, UNITS, task, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_user(unit_directory):
    return MembershipFactory(unit=Unit.objects.get(name="区委区政府督查室"), role=Membership.Role.OFFICE).user


def upload(client, data, name="sheet.xlsx", **extra):
    return client.post(reverse("campaigns:import"), {"file": SimpleUploadedFile(name, data), **extra})


def test_import_pages_are_for_the_office_only(login, office_user):
    liaison = MembershipFactory(role=Membership.Role.LIAISON).user
    url = reverse("campaigns:import")
    assert login(UserFactory()).get(url).status_code == 403
    assert login(liaison).get(url).status_code == 403
    assert login(liaison).post(url, {"file": SimpleUploadedFile("a.xlsx", b"x")}).status_code == 403
    assert login(office_user).get(url).status_code == 200
    assert login(liaison).get(reverse("units:import")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("campaigns:import"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_upload_preview_confirm_imports_once(login, office_user):
    client = login(office_user)
    response = upload(client, EFFICIENCY_2026.read_bytes(), EFFICIENCY_2026.name, code="eff-2026")
    record = CampaignImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:import-preview", args=[record.pk])
    assert not Task.objects.exists()  # the preview wrote nothing

    preview = client.get(response["Location"])
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "“机关效能—项目建设年”活动" in content and "5.2" in content
    assert reverse("campaigns:import-confirm", args=[record.pk]) in content
    assert record.summary["tasks_new"] == 19 and record.summary["sub_items"] == 7

    confirm_url = reverse("campaigns:import-confirm", args=[record.pk])
    first = client.post(confirm_url)
    second = client.post(confirm_url)  # a double click
    assert first.status_code == second.status_code == 302
    assert first["Location"] == reverse("campaigns:detail", args=["eff-2026"])
    assert Campaign.objects.count() == 1 and Task.objects.count() == 19
    record.refresh_from_db()
    assert record.status == CampaignImport.Status.APPLIED and record.campaign.code == "eff-2026"


def test_a_bad_workbook_shows_every_problem_and_cannot_be_confirmed(login, office_user):
    client = login(office_user)
    data = workbook_bytes([task("1", lead="区不存在局"), task("2", deadline="明年")])
    response = client.get(upload(client, data)["Location"])
    content = response.content.decode()
    record = CampaignImport.objects.get()
    assert record.status == CampaignImport.Status.FAILED
    assert "区不存在局" in content and "明年" in content
    assert "<td>3</td>" in content and "<td>4</td>" in content  # the rows of the two problems
    assert reverse("campaigns:import-confirm", args=[record.pk]) not in content
    client.post(reverse("campaigns:import-confirm", args=[record.pk]))
    assert not Campaign.objects.exists() and not Task.objects.exists()


def test_oversized_and_wrong_type_uploads_are_refused_before_parsing(login, office_user, settings):
    client = login(office_user)
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    response = upload(client, b"x" * 2048)
    assert response.status_code == 200 and "MB" in response.content.decode()
    settings.IMPORT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    response = upload(client, b"%PDF-1.4", name="report.pdf")
    assert response.status_code == 200 and ".xlsx" in response.content.decode()
    assert not CampaignImport.objects.exists()


def test_another_users_upload_is_not_found(login, office_user):
    upload(login(office_user), STRICT_2022.read_bytes())
    record = CampaignImport.objects.get()
    other_office = MembershipFactory(unit=office_user.memberships.get().unit, role=Membership.Role.OFFICE).user
    client = login(other_office)
    assert client.get(reverse("campaigns:import-preview", args=[record.pk])).status_code == 404
    assert client.post(reverse("campaigns:import-confirm", args=[record.pk])).status_code == 404
    assert not Campaign.objects.exists()


def test_unit_directory_check_writes_nothing_and_import_writes(login, db):
    office = MembershipFactory(unit=UnitFactory(name="市督查室"), role=Membership.Role.OFFICE).user
    client = login(office)
    url = reverse("units:import")
    checked = client.post(url, {"file": SimpleUploadedFile("units.xlsx", UNITS.read_bytes()), "check": "1"})
    assert checked.status_code == 200 and Unit.objects.count() == 1
    imported = client.post(url, {"file": SimpleUploadedFile("units.xlsx", UNITS.read_bytes()), "import": "1"})
    assert imported.status_code == 302 and Unit.objects.count() == 29


def test_unit_directory_errors_are_listed(login, db):
    office = MembershipFactory(role=Membership.Role.OFFICE).user
    response = login(office).post(
        reverse("units:import"), {"file": SimpleUploadedFile("u.xlsx", workbook_bytes([task("1")])), "import": "1"}
    )
    content = response.content.decode()
    # a task breakdown workbook given to the unit import is named for what it is
    assert (
        response.status_code == 200 and "这是专项行动任务分解表，不是单位名录" in content and "导入专项行动" in content
    )


# ---- defects a new user met (issue 7) ----------------------------------------------------------


def test_a_bad_campaign_code_says_so_once_and_keeps_the_file(login, office_user):
    client = login(office_user)
    response = upload(client, EFFICIENCY_2026.read_bytes(), EFFICIENCY_2026.name, code="Eff 2026!")
    held = CampaignImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:import-preview", args=[held.pk])
    assert held.status == CampaignImport.Status.FAILED and bytes(held.content) == EFFICIENCY_2026.read_bytes()
    page = client.get(response["Location"]).content.decode()
    assert page.count("不能作为专项行动代码") == 1 and "slug" not in page.lower() and "有效" not in page
    assert 'value="Eff 2026!"' in page  # shown again, to be corrected
    assert reverse("campaigns:import-confirm", args=[held.pk]) not in page

    # Still wrong: said once, on the same page, and the file is still kept.
    again = client.post(reverse("campaigns:import-recheck", args=[held.pk]), {"code": "import"})
    assert again.status_code == 200 and again.content.decode().count("“import”为系统保留字") == 1
    assert CampaignImport.objects.count() == 1

    fixed = client.post(reverse("campaigns:import-recheck", args=[held.pk]), {"code": "eff-2026"})
    record = CampaignImport.objects.exclude(pk=held.pk).get()
    assert fixed["Location"] == reverse("campaigns:import-preview", args=[record.pk])
    assert record.status == CampaignImport.Status.PREVIEWED and record.code == "eff-2026"
    client.post(reverse("campaigns:import-confirm", args=[record.pk]))
    assert Campaign.objects.get().code == "eff-2026" and Task.objects.count() == 19


def test_the_success_message_does_not_double_the_title_quotes(login, office_user):
    client = login(office_user)
    upload(client, EFFICIENCY_2026.read_bytes(), EFFICIENCY_2026.name, code="eff-2026")
    record = CampaignImport.objects.get()
    page = client.post(reverse("campaigns:import-confirm", args=[record.pk]), follow=True).content.decode()
    assert "已导入专项行动：“机关效能—项目建设年”活动" in page and "““" not in page


def test_a_workbook_of_a_campaign_already_imported_under_another_code_is_refused(login, office_user):
    campaign_import(EFFICIENCY_2026.read_bytes(), code="eff-2026")
    client = login(office_user)
    response = upload(client, EFFICIENCY_2026.read_bytes(), EFFICIENCY_2026.name, code="eff-copy")
    page = (
        response.content.decode() if response.status_code == 200 else client.get(response["Location"]).content.decode()
    )
    assert "eff-2026" in page and "文号" in page and "如要更新该专项行动，请填写其代码" in page
    assert not Campaign.objects.filter(code="eff-copy").exists()


def test_the_preview_shows_old_and_new_values_and_the_units_and_deadline_of_new_tasks(login, office_user):
    campaign_import(workbook_bytes([task("1", "原任务名称", deadline="2026-10-31")]), code="t-2026")
    edited_info = [(key, "区委办公室" if key == "发文单位" else value) for key, value in INFO]
    data = workbook_bytes(
        [
            task("1", "新任务名称", deadline="2026-11-30"),
            task("2", "新增任务", lead="区发展和改革局", support="区财政局", deadline="2026-09-30"),
        ],
        info=edited_info,
    )
    client = login(office_user)
    page = client.get(upload(client, data, code="t-2026")["Location"]).content.decode()
    assert "<del>原任务名称</del> → <ins>新任务名称</ins>" in page
    assert "<del>2026-10-31</del> → <ins>2026-11-30</ins>" in page
    assert "<del>区人民政府办公室</del> → <ins>区委办公室</ins>" in page  # the campaign's issuing body
    assert "区发展和改革局" in page and "区财政局" in page and "2026-09-30" in page


def test_a_unit_directory_given_to_the_campaign_import_says_where_it_belongs(login, office_user):
    client = login(office_user)
    page = client.get(upload(client, UNITS.read_bytes(), UNITS.name)["Location"]).content.decode()
    assert "这是单位名录，不是专项行动任务分解表" in page and "导入单位名录" in page
    assert page.count("<tr><td") == 1  # that one problem, not a list of missing columns
