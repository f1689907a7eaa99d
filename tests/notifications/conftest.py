import ipaddress
import socket

import pytest

# For the modules here that take it from this one: the broker switch (the supervision tests').
from tests.supervision.conftest import broker  # noqa: F401


@pytest.fixture
def fake_dns(monkeypatch):
    """Name → addresses for the robot-address check, so tests need no network (and can make a
    name resolve to whatever they like). Unknown names do not resolve."""
    names: dict[str, list[str]] = {}

    def getaddrinfo(host, port):
        if host in names:
            return [
                (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                for ip in names[host]
            ]
        try:  # IP literals need no lookup
            ipaddress.ip_address(host)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)

    monkeypatch.setattr("notifications.webhooks._getaddrinfo", getaddrinfo)
    return names
