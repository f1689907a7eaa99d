from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import ChannelPreferenceForm
from .models import ChannelPreference


def inbox(request):
    page = Paginator(selectors.inbox(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
def notification_open(request, pk):
    """Mark a notification read and follow its link. Only an explicit click (a CSRF-checked POST)
    counts as reading: a GET from a link scanner or a prefetch must not."""
    notification = get_object_or_404(selectors.inbox(request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect(notification.link or "notifications:inbox")


@require_POST
def inbox_mark_all_read(request):
    services.notification_mark_read(user=request.user)
    return redirect("notifications:inbox")


def preferences(request):
    preference = ChannelPreference.objects.filter(user=request.user).first() or ChannelPreference(user=request.user)
    form = ChannelPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.channel_preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
