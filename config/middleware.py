from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English-language
    browser on a government PC would get English pages. Here only the language cookie set by
    the switcher (django.views.i18n.set_language) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class NulByteInRequest(SuspiciousOperation):
    """A request carrying a NUL byte: no legitimate form, link or cookie holds one."""


def _has_nul(value) -> bool:
    return "\x00" in value if isinstance(value, str) else False


class RejectNulBytesMiddleware:
    """Answer 400 to any request with a NUL byte in its path, query, form data, headers or cookies.

    PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00) characters"), so
    such a value reaching any filter (a search box, an admin filter, a slug in the path, the session
    cookie) was a 500. Checking here, once, covers every view, including the admin's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            raise NulByteInRequest("NUL byte in the request")
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if _has_nul(request.path) or _has_nul(request.path_info):
            return True
        # Headers too: the login records the browser's User-Agent (django-axes).
        if any(_has_nul(value) for key, value in request.META.items() if key.startswith("HTTP_")):
            return True
        sources = [request.GET, request.COOKIES]
        if request.method == "POST":
            # Reading the form here is what CsrfViewMiddleware does anyway, a step later.
            sources.append(request.POST)
            # Uploaded files' names need no check: Django drops non-printable characters from them.
            if any(_has_nul(key) for key in request.FILES):
                return True
        for source in sources:
            items = source.lists() if hasattr(source, "lists") else ((key, [value]) for key, value in source.items())
            for key, values in items:
                if _has_nul(key) or any(_has_nul(value) for value in values):
                    return True
        return False


# Browser features the app never uses, switched off for every response (and any script injected).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header on every response, static files included (it sits before
    WhiteNoise in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class PrivatePagesMiddleware:
    """Whatever a signed-in user is served (pages, evidence downloads, exports) is private and
    never stored: neither by a shared proxy on the intranet nor in the browser's cache, where the
    next user of a shared office PC could go Back into another unit's reports.

    Static files never reach this middleware: WhiteNoise answers them earlier.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
