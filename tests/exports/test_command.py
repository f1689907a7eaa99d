"""manage.py export: a file as the office (or a named user) sees it, recorded; bad input stops
with a message naming the option, and leaves no file."""

import datetime

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from exports.models import ExportRecord

from .export_world import NOW, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world, monkeypatch):
    build(world)
    # The kinds read the clock: the command runs on Monday 30 March 2026.
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return world


def export(*args):
    call_command("export", *args)


def test_writes_the_file_and_records_it(scene, tmp_path):
    path = tmp_path / "台账.xlsx"
    export("weekly-summary", "--campaign", scene.campaign.code, "--period", "2026-W13", "-o", str(path))

    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws["A3"].value == "序号" and ws.max_row == 6
    record = ExportRecord.objects.get()
    assert (record.kind, record.user, record.rows, record.mode) == ("weekly-summary", None, 3, "command")
    assert list(tmp_path.iterdir()) == [path]  # nothing left beside it


def test_as_a_named_user(scene, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export("ledger", "--campaign", scene.campaign.code, "--user", scene.leader.username, "-o", str(path))

    assert openpyxl.load_workbook(path).worksheets[0].max_row == 4
    assert ExportRecord.objects.get().user == scene.leader


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--unit", "不存在的局"], "--unit"),
        (["--period", "2025-W01"], "--period"),
        (["--state", "purple"], "--state"),
        (["--section", "无"], "--section"),
    ],
)
def test_bad_filters_name_the_option_and_write_nothing(scene, tmp_path, options, words):
    with pytest.raises(CommandError, match=words):
        export("missing", "--campaign", scene.campaign.code, *options, "-o", str(tmp_path / "out.xlsx"))
    assert list(tmp_path.iterdir()) == []
    assert not ExportRecord.objects.exists()


def test_an_unknown_campaign_or_user_or_a_user_who_may_not_export(scene, tmp_path):
    out = str(tmp_path / "out.xlsx")
    with pytest.raises(CommandError, match="--campaign"):
        export("ledger", "--campaign", "nope", "-o", out)
    with pytest.raises(CommandError, match="nobody"):
        export("ledger", "--campaign", scene.campaign.code, "--user", "nobody", "-o", out)
    with pytest.raises(CommandError, match=scene.lead_liaison.username):
        export("ledger", "--campaign", scene.campaign.code, "--user", scene.lead_liaison.username, "-o", out)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_period_says_so_and_writes_no_file(scene, tmp_path, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW - datetime.timedelta(days=27))
    with pytest.raises(CommandError, match="该周期没有应报送的记录"):
        export("missing", "--campaign", scene.campaign.code, "-o", str(tmp_path / "out.xlsx"))
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_kind(scene, tmp_path):
    with pytest.raises(CommandError):
        export("everything", "--campaign", scene.campaign.code, "-o", str(tmp_path / "out.xlsx"))
