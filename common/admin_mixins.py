"""Admin building blocks that keep the app's rules in the admin too.

The admin is a back door around the pages: a staff user with model permissions could otherwise
read any unit's drafts, rewrite a filed report or make themselves another unit's liaison. These
mixins limit what only superusers (the administrators) may do there.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin


class SuperuserWritesMixin:
    """Read-only for everyone but superusers, whatever model permissions a staff user holds.

    For what people file or are given through the app's own pages (reports, evidence, requests,
    notices, memberships): those pages check who may act and record it; a raw admin form would
    skip both. Works on ModelAdmin and inlines (whose has_add_permission also takes obj).
    """

    def has_add_permission(self, request, *args, **kwargs):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin with its two gaps closed for non-superusers.

    - Its history page falls back to the last historical record when the object is not in
      get_queryset(), and its historical-version page reads any record by id: both would show
      rows the changelist hides. Here both require the object in get_queryset() and the record
      in `history_records_visible`.
    - Its version page saves the submitted form on POST ("revert") checking only the view
      permission. Here a POST needs the change permission.
    """

    # This module sits below accounts and cannot ask accounts.access; the app admins (which may)
    # answer these hooks with it (accounts.admin_mixins.AccessAdminMixin, which also narrows
    # get_queryset to access.admin_rows). By default nobody skips a check.

    def sees_every_row(self, request) -> bool:
        """Whether nothing is hidden from this user here, so simple-history's pages run as they
        are (the history of a deleted row included). No one by default; override with
        accounts.access.sees_every_row."""
        return False

    def history_records_visible(self, request, records: QuerySet) -> QuerySet:
        """The historical records this user may see; all by default. Override to hide some."""
        return records

    def _visible_history(self, request, records: QuerySet) -> QuerySet:
        if self.sees_every_row(request):
            return records
        return self.history_records_visible(request, records)

    def _check_object_visible(self, request, object_id) -> None:
        if self.sees_every_row(request):
            return
        # get_object: None for an id that is not in get_queryset() or not an id at all.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        records = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return self._visible_history(request, records)

    def history_view(self, request, object_id, extra_context=None):
        self._check_object_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_object_visible(request, object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        try:
            records = history.filter(**{self.model._meta.pk.attname: object_id, "history_id": version_id})
            if not self._visible_history(request, records).exists():
                raise Http404
        except (ValueError, ValidationError):
            raise Http404 from None
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
