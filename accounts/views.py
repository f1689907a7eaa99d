from axes.helpers import get_cool_off
from django.shortcuts import render
from django.utils import timezone


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (settings.AXES_LOCKOUT_CALLABLE): the page
    says until when this account is paused from this address, in the user's language."""
    cool_off = get_cool_off(request)
    context = {"retry_at": timezone.now() + cool_off if cool_off else None, "cool_off": cool_off}
    return render(request, "registration/lockout.html", context, status=429)
