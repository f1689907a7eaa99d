"""Task numbers as sheets write them (1, 5.2, 5(2), 5（2）, 5-2) and their natural order."""

import re

_NUMBER = re.compile(r"^\d+(\.\d+)*$")
_SUB_ITEM = re.compile(r"^(\d+)\s*[(（]\s*(\d+)\s*[)）]$")


class InvalidTaskNumber(ValueError):
    pass


def normalize_number(value) -> str:
    """Return the canonical form of a task number: digits joined by dots, e.g. '5.2'.

    Excel may hand over 5.0 for 5 or 5.1 for 5.1; 5(1), 5（1） and 5-1 are the sub-item forms.
    """
    if value is None:
        raise InvalidTaskNumber("empty")
    if isinstance(value, float):
        text = repr(value)
        if text.endswith(".0"):
            text = text[:-2]
    else:
        text = str(value).strip()
    text = text.replace("．", ".").replace("-", ".").replace("－", ".").rstrip(".、")
    match = _SUB_ITEM.match(text)
    if match:
        text = f"{match.group(1)}.{match.group(2)}"
    if not _NUMBER.match(text):
        raise InvalidTaskNumber(text)
    return ".".join(str(int(part)) for part in text.split("."))


def sort_key(number: str) -> str:
    """A string that sorts task numbers naturally: 1, 2, …, 5, 5.1, 5.2, …, 10, 10.1."""
    return ".".join(f"{int(part):05d}" for part in number.split("."))


def parent_number(number: str) -> str | None:
    """'5.2' → '5'; a top-level number has no parent."""
    head, _, _ = number.rpartition(".")
    return head or None
