import pytest
from django.core.management import call_command

from assessment.models import UnitScore
from bulletins.models import Bulletin

pytestmark = pytest.mark.django_db


def test_load_demo_command_adds_scores_and_a_published_bulletin_once(capsys):
    call_command("load_demo")
    bulletin = Bulletin.objects.get()
    assert bulletin.number == 1 and bulletin.status == Bulletin.Status.PUBLISHED and bulletin.requirements
    assert UnitScore.objects.filter(campaign__code="efficiency-year-2026").exists()
    scores = UnitScore.objects.count()
    call_command("load_demo")  # `make run` loads it at every start
    assert Bulletin.objects.count() == 1 and UnitScore.objects.count() == scores
    assert "第1期" in capsys.readouterr().out
