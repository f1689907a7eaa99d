"""Two confirmations of one upload at the same moment (two tabs, a double click that races)
apply it once. Real concurrency needs PostgreSQL's row locks; SQLite serialises writers."""

import threading

import pytest
from django.db import connection

from campaigns.models import CampaignImport
from tasks.campaign_import.services import campaign_import_confirm, campaign_import_preview
from tasks.models import Task
from units.importing import import_unit_directory

from ..factories import UserFactory
from ..sheets import EFFICIENCY_2026, UNITS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_apply_the_workbook_once():
    import_unit_directory(UNITS.read_bytes())
    user = UserFactory()
    record, _result, issues = campaign_import_preview(
        user=user, data=EFFICIENCY_2026.read_bytes(), filename=EFFICIENCY_2026.name, code="race"
    )
    assert not issues
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm():
        try:
            barrier.wait()
            outcomes.append(campaign_import_confirm(upload_id=record.pk, user=user)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [False, True]
    assert Task.objects.filter(campaign__code="race").count() == 19
    assert CampaignImport.objects.get().status == CampaignImport.Status.APPLIED
