"""Group-chat robot addresses: which ones may be saved, and posting to them safely.

Any user can enter a robot address, and the server then POSTs to it: without a guard that is a way
to make the server call internal services (SSRF). So an address must name a host on the list the
administrator configures, over https unless that host is listed with `http://`, and every address
the host resolves to is checked: loopback, link-local (cloud metadata lives there), multicast,
reserved and unspecified addresses never pass, and private ones only for the intranet's own hosts.
The check runs when the address is saved and again when each message is sent, because a name
can resolve differently later (DNS rebinding); the connection then goes to the address that was
checked, not to a fresh lookup. Redirects are not followed.

Settings:
- DUBAN_WEBHOOK_PUBLIC_HOSTS: public robot hosts (DingTalk, WeCom, Feishu); public addresses only.
- DUBAN_WEBHOOK_HOSTS: the intranet's own robot hosts (e.g. 政务钉钉), from the environment
  variable of the same name; these may resolve to private addresses.
  An entry is `host`, `host:port` or `http://host[:port]`; without a port only the scheme's
  default port is allowed.
- DUBAN_WEBHOOK_ALLOW_LOOPBACK: False. Only the tests that exercise robot formats against a
  listener on 127.0.0.1 turn it on; nothing else should.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_PORTS = {"https": 443, "http": 80}
# Cloud metadata services outside the link-local range (Alibaba Cloud, AWS over IPv6).
METADATA_ADDRESSES = {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}
MAX_RESPONSE_BYTES = 64 * 1024


class WebhookRefused(ValidationError):
    """The address may not be posted to; the message says why, for the user or the outbox."""


class WebhookUnresolved(WebhookRefused):
    """The host name did not resolve: refused when saved; when sending, the resolver may just be
    down for a while, so post_json raises OSError and the outbox retries."""


@dataclass(frozen=True)
class _Allowed:
    host: str
    port: int | None  # None: the scheme's default port only
    http: bool  # plain http allowed
    intranet: bool  # may resolve to private addresses


def _allowed_hosts() -> list[_Allowed]:
    entries = [(entry, False) for entry in getattr(settings, "DUBAN_WEBHOOK_PUBLIC_HOSTS", [])]
    entries += [(entry, True) for entry in getattr(settings, "DUBAN_WEBHOOK_HOSTS", [])]
    allowed = []
    for entry, intranet in entries:
        plain_http = entry.lower().startswith("http://")
        parts = urlsplit(entry if "://" in entry else f"https://{entry}")
        if parts.hostname:
            allowed.append(_Allowed(parts.hostname.lower(), parts.port, plain_http, intranet))
    return allowed


def _host_list() -> str:
    return "、".join(sorted({entry.host for entry in _allowed_hosts()})) or "—"


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect, and what to say in the request."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: _Allowed) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        if getattr(settings, "DUBAN_WEBHOOK_ALLOW_LOOPBACK", False):
            return None
        return _("it is this server itself (loopback)")
    if address.is_link_local or address in METADATA_ADDRESSES:
        return _("it is a link-local or cloud metadata address")
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return _("it is not an address a robot can have")
    if not address.is_global and not allowed.intranet:
        return _("a public robot host resolves to a private address")
    return None


def _getaddrinfo(host: str, port: int):
    """The system resolver (tests replace this one function)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = _getaddrinfo(host, port)
    except (OSError, UnicodeError) as error:  # gaierror and the like
        raise WebhookUnresolved(
            _("The host %(host)s cannot be resolved (%(error)s).") % {"host": host, "error": error}
        ) from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_webhook_url(url: str) -> Target:
    """The checked target of a robot address, or WebhookRefused saying what is wrong with it."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise WebhookRefused(_("This is not a valid address.")) from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        raise WebhookRefused(_("A robot address must begin with https://."))
    if parts.username is not None or parts.password is not None:
        raise WebhookRefused(_("A robot address may not contain a user name or password."))
    port = port or DEFAULT_PORTS[scheme]
    allowed = next(
        (entry for entry in _allowed_hosts() if entry.host == host and port == (entry.port or DEFAULT_PORTS[scheme])),
        None,
    )
    if allowed is None:
        raise WebhookRefused(
            _("%(host)s is not an allowed robot host. Allowed: %(hosts)s (the administrator configures the list).")
            % {"host": f"{host}:{port}" if parts.port else host, "hosts": _host_list()}
        )
    if scheme == "http" and not allowed.http:
        raise WebhookRefused(_("A robot address must use https://."))
    addresses = _resolve(host, port)
    for address in addresses:
        reason = _address_refusal(ipaddress.ip_address(address.split("%")[0]), allowed)
        if reason:
            raise WebhookRefused(
                _("%(host)s is refused: it resolves to %(address)s, and %(reason)s.")
                % {"host": host, "address": address, "reason": reason}
            )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


class _PinnedMixin:
    """Connects to the checked address while TLS and the Host header use the name."""

    def __init__(self, *args, addresses: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses = addresses
        self._create_connection = self._connect_pinned

    def _connect_pinned(self, address, timeout, source_address):
        error = None
        for ip in self._addresses:
            try:
                return socket.create_connection((ip, address[1]), timeout, source_address)
            except OSError as exc:
                error = exc
        raise error or OSError("no address")


class _PinnedHTTPConnection(_PinnedMixin, http.client.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedMixin, http.client.HTTPSConnection):
    pass


def post_json(url: str, data: bytes, *, timeout: float) -> int:
    """POST to a robot after checking the address again; returns the status. Any answer but 2xx
    (a redirect included: it is not followed) raises OSError, as does a name that does not resolve
    now (retried: a resolver outage must not drop the message); a refused address WebhookRefused."""
    try:
        target = check_webhook_url(url)
    except WebhookUnresolved as error:
        raise OSError(error.messages[0]) from None
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, timeout=timeout, addresses=target.addresses)
    try:
        connection.request("POST", target.path, body=data, headers={"Content-Type": "application/json; charset=utf-8"})
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status} {response.reason}")
        return response.status
    finally:
        connection.close()
