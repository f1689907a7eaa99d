"""A tiny export kind for the tests of exports' records, jobs and pages: its row count is set by
the test, so the choice between writing at once and a background job is the test's."""

import pytest
import xlsxwriter

from exports.kinds.base import Kind


class FakeKind(Kind):
    name = "fake"
    title = "测试导出"
    states = ()

    def __init__(self, rows=3):
        self.rows = rows
        self.fail = None  # an exception to raise while writing
        self.users = []  # who each write ran as

    def count(self, user, filters, *, now=None):
        return self.rows

    def write(self, user, filters, target, *, now=None):
        self.users.append(user)
        workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
        sheet = workbook.add_worksheet()
        sheet.write_string(0, 0, "序号")
        sheet.write_string(0, 1, "单位")
        for row in range(1, self.rows + 1):
            if self.fail is not None and row == 2:
                workbook.close()
                raise self.fail
            sheet.write_number(row, 0, row)
            sheet.write_string(row, 1, filters.unit.name if filters.unit else "全部")
        workbook.close()
        return self.rows

    def filename(self, filters, *, now=None):
        return f"测试导出-{filters.campaign.code}.xlsx"


@pytest.fixture
def fake_kind(monkeypatch):
    """The fake kind registered as "fake" for the test."""
    from exports import kinds

    kind = FakeKind()
    monkeypatch.setitem(kinds.KINDS, "fake", kind)
    return kind


@pytest.fixture
def jobs(monkeypatch):
    """build_export.delay runs the job in-process (after the commit, where the service sends it);
    returns the ids sent, in order."""
    from exports.tasks import build_export

    sent = []

    def delay(file_id):
        sent.append(file_id)
        build_export(file_id)

    monkeypatch.setattr(build_export, "delay", delay)
    return sent
