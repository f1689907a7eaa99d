"""The home pages, one per role, and where signing in lands: the office's 工作台, a leader's
home, a unit's standing. accounts.access decides who is what (home_page, can); these views only
ask it."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import access
from accounts.decorators import can_required
from common.urls import next_or
from lights.models import Light
from tasks.forms import LeaderCommentForm
from tasks.models import Task

from . import links, services
from .selectors import desk as desk_selectors
from .selectors import leader as leader_selectors
from .selectors import unit as unit_selectors

# A light's card colour (Bootstrap's), when it counts any task.
TONES = {Light.RED: "danger", Light.YELLOW: "warning", Light.GREEN: "success", Light.CLOSED: "secondary"}

PAGES = {"office": "dashboards:desk", "leader": "dashboards:leader", "unit": "dashboards:unit"}


def home(request):
    """Signing in lands here: the user's first home page of office, leader, unit; anyone else
    gets the campaigns list."""
    page = access.home_page(request.user)
    return redirect(PAGES[page] if page else "campaigns:list")


@can_required("desk")
def desk(request):
    now = timezone.now()
    return render(request, "dashboards/home_desk.html", {"desk": desk_selectors.desk(request.user, now=now)})


@can_required("leader_home")
def leader(request):
    now = timezone.now()
    previous = services.visit_record(user=request.user, now=now)
    home = leader_selectors.leader_home(request.user, previous_seen_at=previous, now=now)
    may_comment = access.can(request.user, "comment")
    if may_comment:
        # One 批示 form per task (tasks.forms.LeaderCommentForm's fields, written out in the
        # template: forty rendered forms cost more than the page's queries), each with its own
        # token, so a double click on one saves one comment.
        for task in home.tasks + home.followed:
            task.comment_token = uuid.uuid4()
    context = {
        "home": home,
        "here": request.get_full_path(),
        "now": now,
        "may_comment": may_comment,
        "comment_max": LeaderCommentForm.base_fields["text"].max_length,
        "all_tasks_url": links.tasks_url(leader=home.leader_id) if home.leader_id else None,
        "followed_url": links.tasks_url(followed=1),
        "coordination_url": links.coordination_url(leader=home.leader_id) if home.leader_id else None,
    }
    return render(request, "dashboards/home_leader.html", context)


@can_required("unit_home")
def unit(request):
    units = unit_selectors.member_units(request.user)
    chosen = request.GET.get("unit")
    if chosen is None:
        current = units[0]
    else:
        # Only one of the user's own units: any other id (or a malformed one) is not found.
        current = next((u for u in units if str(u.pk) == chosen), None)
        if current is None:
            raise Http404
    home = unit_selectors.unit_home(request.user, current, units, now=timezone.now())
    # Each number opens the list it counts: the unit's reports over the due periods, its tasks by light.
    urls = {
        state: links.reports_url(unit=current.pk, period="all", state=state)
        for state in ("missing", "returned", "fix_overdue")
    }
    lights = [
        {"key": light.value, "label": light.label, "count": home.lights.get(light.value, 0), "tone": TONES[light],
         "url": links.tasks_url(unit=current.pk, light=light.value)}
        for light in Light
    ]  # fmt: skip
    return render(request, "dashboards/home_unit.html", {"home": home, "urls": urls, "lights": lights})


@require_POST
def follow(request, task_id: int):
    """Follow (关注) a visible task, or unfollow it with follow=0. Idempotent."""
    task = get_object_or_404(access.visible_to(request.user, Task), pk=task_id)
    services.follow_set(user=request.user, task=task, follow=request.POST.get("follow", "1") != "0")
    return redirect(next_or(request, reverse("home")))
