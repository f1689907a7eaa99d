"""The client's address as django-axes should count it (settings.AXES_CLIENT_IP_CALLABLE).

Behind a reverse proxy every request's REMOTE_ADDR is the proxy: counting failures by it would
let one user's mistakes lock out everyone. Each proxy appends the address it received the
request from to X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies of our own in front, the
client is that many entries from the right. Entries further left were written by the client
and could be anything, so they are never used.
"""

import ipaddress

from django.conf import settings


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    header = request.META.get(settings.CLIENT_IP_HEADER, "")
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer entries than proxies: the request came in past some of them; take the leftmost we have.
    hop = hops[-proxies] if len(hops) >= proxies else hops[0]
    # Not an address (a client-written entry, when fewer proxies are in front than configured):
    # django-axes stores it in an address column, which PostgreSQL refuses (a 500 on sign-in).
    return hop if _is_ip(hop) else remote
