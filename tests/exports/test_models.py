"""What the database itself refuses for exports: a second pending job for the same request, a
ready file with no expiry."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from exports.models import ExportFile
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


def make(user, campaign, **fields):
    return ExportFile.objects.create(
        requested_by=user, kind="ledger", campaign=campaign, filters_key="same", filename="工作台账.xlsx", **fields
    )


def test_one_pending_job_per_user_and_request():
    user, campaign = UserFactory(), CampaignFactory()
    first = make(user, campaign)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(user, campaign, status="running")
    make(UserFactory(), campaign)  # somebody else's is another job
    ExportFile.objects.filter(pk=first.pk).update(status="failed")
    make(user, campaign)  # once the first is done, the same request queues again


def test_a_ready_file_says_when_it_expires():
    user, campaign = UserFactory(), CampaignFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        make(user, campaign, status="ready")
    now = timezone.now()
    ready = make(user, campaign, status="ready", expires_at=now + datetime.timedelta(days=1))
    assert not ready.is_expired(now) and ready.is_expired(now + datetime.timedelta(days=1))
    assert ready.get_absolute_url() == f"/exports/files/{ready.pk}/"
