"""Which item of the header's navigation the current page belongs to.

The navigation spans every app, and URL namespaces do not match its items one to one (the
`tasks` namespace holds 我的任务, 审核 and 申请 as well as the task pages, which belong under
专项活动), so the few exceptions are listed by URL name, import pages are told by their name
(import…), and the rest follow their namespace.
"""

# URL name (namespace:name) → navigation item, where it differs from the namespace's.
PAGES = {
    "tasks:workspace": "workspace",
    "tasks:report": "workspace",
    "tasks:review-home": "review",
    "tasks:review": "review",
    "tasks:review-decide": "review",
    "tasks:requests": "requests",
    "tasks:completion-decide": "requests",
    "tasks:extension-decide": "requests",
    "supervision:notices": "notices",
    "supervision:notice": "notices",
    "notifications:inbox": "inbox",
    "notifications:inbox-read-all": "inbox",
    "notifications:notification": "inbox",
    "notifications:preferences": "inbox",
    # The home pages by role.
    "dashboards:desk": "desk",
    "dashboards:leader": "leader",
    "dashboards:unit": "unit",
    # The office overview and each campaign's dashboard (those who oversee).
    "dashboards:overview": "overview",
    "dashboards:campaign": "overview",
}

# Namespace → navigation item for every other page of it (task pages live under a campaign).
NAMESPACES = {
    "campaigns": "campaigns",
    "tasks": "campaigns",
    "units": "units",
    "bulletins": "bulletins",
    # The ranking and the rules are the overview's; a unit's own score page marks nothing else.
    "assessment": "overview",
    "exports": "exports",
}


def section_of(view_name: str, namespace: str) -> str | None:
    if view_name in PAGES:
        return PAGES[view_name]
    # Every step of an import (upload, preview, confirm; campaigns and the unit directory).
    if view_name.partition(":")[2].startswith("import"):
        return "import"
    return NAMESPACES.get(namespace)


def nav_section(request):
    """Context processor: `nav_section`, the navigation item to mark as the current page
    (None on pages outside the navigation, such as the login page or a 404)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav_section": None}
    return {"nav_section": section_of(match.view_name, match.namespace)}
