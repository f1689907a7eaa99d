"""How unit names written by people map to one key.

Sheets write the same unit as 区纪委(监察局), 区纪委（监察局）, 区纪委 (监察局) or in traditional
characters. Every such spelling maps to one normalised key, and names are resolved by key.
"""

import re
import unicodedata

from zhconv import convert

_SPACES = re.compile(r"\s+")
# Separators found between unit names in real sheets: 、，,;； and line breaks.
_LIST_SEPARATORS = re.compile(r"[、，,;；\n\r/]+")


def name_key(name: str) -> str:
    """The key a unit or group name is matched by.

    NFKC folds full-width brackets and letters to ASCII; zhconv folds traditional characters to
    simplified; spaces of every kind go.
    """
    text = unicodedata.normalize("NFKC", str(name or ""))
    text = convert(text, "zh-hans")
    text = _SPACES.sub("", text)
    return text.casefold()


def split_unit_list(value) -> list[str]:
    """Split a cell such as '区政府办、区发改委，区财政局' into names, keeping their order.

    Separators inside brackets are kept, e.g. '区纪委(监察局、审计)' stays one name.
    """
    if value is None:
        return []
    text = str(value)
    names, depth, current = [], 0, []
    for char in text:
        if char in "(（[【":
            depth += 1
        elif char in ")）]】":
            depth = max(0, depth - 1)
        if depth == 0 and _LIST_SEPARATORS.fullmatch(char):
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    return [name.strip() for name in names if name.strip()]
