"""The Chinese catalogue is complete and the committed .mo matches the .po."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
_ENTRY = re.compile(
    r'^(#,.*\n)?(?:#\|.*\n)*(?:msgctxt (".*")\n)?msgid ((?:".*"\n)+)(?:msgid_plural ((?:".*"\n)+))?((?:msgstr.*\n(?:".*"\n)*)+)',
    re.M,
)


def _join(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted)).encode().decode("unicode_escape").encode("latin-1").decode()


def po_entries(path=LOCALE / "django.po"):
    text = path.read_text(encoding="utf-8")
    for match in _ENTRY.finditer(text):
        flags, msgid, msgstrs = match.group(1) or "", _join(match.group(3)), match.group(5)
        if msgid and match.group(2):  # pgettext: the catalogue's key is "context\x04msgid"
            msgid = f"{_join(match.group(2))}\x04{msgid}"
        if msgid:
            yield msgid, flags, [_join(part) for part in re.split(r"msgstr(?:\[\d\])? ", msgstrs)[1:]]


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = list(po_entries())
    assert len(entries) > 100
    untranslated = [msgid for msgid, _flags, strs in entries if not all(strs)]
    fuzzy = [msgid for msgid, flags, _strs in entries if "fuzzy" in flags]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    compiled = {key if isinstance(key, str) else key[0] for key in catalog}
    missing = [msgid for msgid, _flags, _strs in po_entries() if msgid not in compiled]
    assert not missing, f"run `make setup` (compilemessages) and commit the .mo: {missing[:5]}"


def test_every_message_in_the_code_is_in_the_catalogue(tmp_path):
    """makemessages, run on a copy of the code (it rewrites the catalogue it finds), adds no
    message: a string marked for translation but missing from the .po would show in English."""
    require_service("gettext", None if shutil.which("xgettext") else "needs xgettext: apt-get install gettext")
    skip = shutil.ignore_patterns(".*", "node_modules", "var", "static", "bench", "tests", "__pycache__", "*.mo")
    copy = tmp_path / "code"
    shutil.copytree(ROOT, copy, ignore=skip)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-v", "0", "--no-obsolete"],
        cwd=copy, check=True, capture_output=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
    )  # fmt: skip
    entries = list(po_entries(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    untranslated = [msgid for msgid, flags, strs in entries if not all(strs) or "fuzzy" in flags]
    assert not untranslated, f"add these to locale/zh_Hans/LC_MESSAGES/django.po: {untranslated}"


def test_every_field_the_admin_shows_has_a_translated_label():
    """A field without verbose_name=_("…") is labelled by its English name in the Chinese admin."""
    from django.contrib import admin
    from django.utils.functional import Promise

    unlabelled = [
        f"{model._meta.label}.{field.name}"
        for model in admin.site._registry
        if model.__module__.split(".")[0] in {path.name for path in ROOT.iterdir() if (path / "models.py").exists()}
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and not isinstance(field.verbose_name, Promise)
    ]
    assert not unlabelled, unlabelled
