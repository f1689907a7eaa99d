"""common.urls.next_or: a form goes back where it came from, never to another site."""

import pytest
from django.test import RequestFactory

from common.urls import next_or


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        ("/leader/", "/leader/"),
        ("/overview/tasks/?light=red&page=2", "/overview/tasks/?light=red&page=2"),
        ("https://evil.example.com/", "/fallback/"),
        ("//evil.example.com/", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        ("", "/fallback/"),
    ],
)
def test_next_or_keeps_only_this_site(posted, expected):
    request = RequestFactory().post("/form/", {"next": posted})
    assert next_or(request, "/fallback/") == expected
