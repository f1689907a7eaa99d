from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from dashboards import views_home


@login_not_required
def favicon(request):
    # Browsers ask for /favicon.ico by themselves (on the admin's pages, on a download): send them
    # to the static icon. Resolved per request: with hashed static names the URL is known only
    # once collectstatic has run.
    return redirect(static("img/favicon.ico"))


# The admin is named for the app, in the user's language (not "Django administration").
admin.site.site_header = admin.site.site_title = admin.site.index_title = _("Supervision administration")

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # Signing in lands on the user's home page by role (dashboards.views_home.home).
    path("", views_home.home, name="home"),
    path("campaigns/", include("tasks.campaign_urls")),
    path("", include("tasks.urls")),
    path("units/", include("tasks.unit_urls")),
    # The dashboards, home pages and their drill-down lists (overview/…, desk/, leader/, my-unit/).
    path("", include("dashboards.urls")),
    # Traffic lights: a campaign's rules, the leader-attention mark (lights/<code>/rules/, lights/tasks/…).
    path("lights/", include("lights.urls")),
    # The office's outputs: Excel exports, the bulletin (督查通报), assessment scores (考核).
    path("exports/", include("exports.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("assessment/", include("assessment.urls")),
    path("admin/", admin.site.urls),
    # The inbox and notification settings live under supervision/, where they always were.
    path("supervision/", include("notifications.urls")),
    path("supervision/", include("supervision.urls")),
    # The login page offers the language switch, so switching must work before signing in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("django.contrib.auth.urls")),
]
