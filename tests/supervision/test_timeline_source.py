"""Supervision puts its urges and notices on the task timeline through tasks' registry of sources
(tasks, below supervision, never reads supervision's models), registered once."""

from django.apps import apps

from supervision.timeline import supervision_events
from tasks.selectors import timeline


def test_supervision_registers_its_source_once():
    assert timeline._extra_sources.count(supervision_events) == 1
    before = list(timeline._extra_sources)
    apps.get_app_config("supervision").ready()  # as when ready() runs twice
    assert timeline._extra_sources == before
    assert {"urge", "notice:issued", "notice:answered"} <= set(timeline.ACTIONS)
