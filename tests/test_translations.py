"""The Chinese catalogue is complete and the committed .mo matches the .po."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"
_ENTRY = re.compile(
    r'^(#,.*\n)?(?:#\|.*\n)*(?:msgctxt (".*")\n)?msgid ((?:".*"\n)+)(?:msgid_plural ((?:".*"\n)+))?((?:msgstr.*\n(?:".*"\n)*)+)',
    re.M,
)


def _join(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted)).encode().decode("unicode_escape").encode("latin-1").decode()


def po_entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
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
