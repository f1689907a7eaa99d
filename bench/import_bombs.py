"""How fast, and in how much memory, the imports refuse decompression bombs.

    .venv/bin/python bench/import_bombs.py [--only NAME ...] [--code DIR]

Builds each bomb at full size in a temporary folder, then, for each bomb and each reader (the
campaign workbook and the unit directory), runs the reader in a fresh child process and prints
the wall time and the child's peak resident memory (resource.getrusage), beside the floor (a
child that sets up Django and only opens the zip and reads its directory) and the targets
(2 s, 200 MB). Nothing touches the database: the readers refuse before anything is written.

--code DIR runs the readers of another checkout (e.g. `git worktree add /tmp/old 2aa09e0`) to
compare with the code before the limits; keep to the smaller bombs there, the old code took
81 s and 6.8 GB on the shared-string one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS, TARGET_MB = 2.0, 200
MEMORY_CEILING_MB = 3072

# name → (builder in tests/sheets.py, its arguments, what it is[, environment of the reader])
NO_RATIO = {"IMPORT_MAX_COMPRESSION_RATIO": "1000000"}
BOMBS = {
    "shared_string": ("bomb_shared_string", {}, "one 500 MB shared string"),
    "shared_string_19mb": (
        "bomb_shared_string",
        {"chars": 19 * 1024 * 1024},
        "one 19 MB shared string, under the part limit",
    ),
    "dense": ("bomb_dense", {}, "2,000 × 1,000 cells present"),
    "dense_small": ("bomb_dense", {"rows": 200, "columns": 1000}, "200 × 1,000 cells present (for the old code)"),
    "dense_undeclared": ("bomb_dense", {"declare": False}, "2,000 × 1,000 cells, declared A1:A1"),
    # With the ratio check switched off, so that the limits checked while streaming are measured:
    "dense_600k": (
        "bomb_dense",
        {"rows": 10_000, "columns": 60, "declare": False},
        "10,000 × 60 cells, declared A1:A1",
        NO_RATIO,
    ),
    "largest_allowed": ("bomb_dense", {"rows": 2000, "columns": 60}, "2,000 × 60 cells: read, not refused", NO_RATIO),
    "shared_string_19mb_no_ratio": ("bomb_shared_string", {"chars": 19 * 1024 * 1024}, "19 MB shared string", NO_RATIO),
    "declared": ("bomb_declared", {}, "2,000 × 16,384 declared"),
    "ratio": ("bomb_ratio", {}, "19 MB part compressed ~1,000×"),
    "blank_rows": ("bomb_blank_rows", {}, "1,000,000 blank rows, then a task"),
    "blank_rows_small": ("bomb_blank_rows", {"rows": 500_000}, "500,000 blank rows, then a task"),
    "lying_dimension": ("bomb_lying_dimension", {"rows": 2000}, "declares A1:C3, values in XFD"),
    "entities": ("bomb_entities", {}, "nested XML entities"),
    "many_strings": ("bomb_many_strings", {}, "600,000 distinct shared strings in 4.8 MB"),
    "many_strings_allowed": ("bomb_many_strings", {"count": 120_000}, "120,000 shared strings: the most allowed"),
    "styles": ("bomb_styles", {}, "38,000 cell formats, 4.9 MB styles part"),
    "styles_allowed": ("bomb_styles", {"count": 15_000}, "15,000 cell formats, under the 2 MB styles limit"),
    "renamed_strings": ("bomb_renamed_strings", {}, "400,000 shared strings in a part named xl/texts.xml"),
    "workbook_as_sheet": (
        "bomb_part_named_as_a_sheet",
        {"kind": "workbook"},
        "19 MB workbook part named xl/worksheets/book.xml",
    ),
    "chartsheet": (
        "bomb_part_named_as_a_sheet",
        {"kind": "chartsheet"},
        "19 MB chartsheet named xl/worksheets/…: left out, read",
    ),
    "many_sheets": ("bomb_many_sheet_entries", {}, "100 listed sheets of 1 MB each, declaring no size: read"),
    "sheet_entries_rels": (
        "bomb_many_sheet_entries",
        {"entries": 20, "sheet_parts": False},
        "20 entries for one sheet with a 1 MB relationships part: read",
    ),
    "undeclared_size": ("bomb_undeclared_size", {}, "3.2 million empty rows, no declared size, row 1 too long"),
    "hyperlinks": ("bomb_hyperlinks", {}, "560,000 hyperlinks before the cells"),
    "deeply_nested": ("bomb_deeply_nested", {}, "2.6 million nested elements"),
}
READERS = ("floor", "campaign", "units")


def child(reader: str, path: str, code: str) -> None:
    """Run one reader on one file and print one JSON line: outcome, seconds, peak MB."""
    import resource

    # A ceiling on the child's address space, so that a bomb on old code fails with MemoryError
    # instead of pushing the shared machine into swap.
    ceiling = MEMORY_CEILING_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    sys.path.insert(0, code)
    os.chdir(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    data = Path(path).read_bytes()
    started = time.perf_counter()
    outcome = "read"
    try:
        if reader == "floor":
            import io
            import zipfile

            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.infolist()
        elif reader == "campaign":
            from tasks.campaign_import.reading import read_campaign_workbook

            book = read_campaign_workbook(data, filename=Path(path).name)
            if book.issues:
                outcome = "problems: " + str(book.issues[0])[:90]
        else:
            from units.importing import parse_unit_directory

            parse_unit_directory(data, filename=Path(path).name)
    except MemoryError:
        outcome = "MemoryError"
    except Exception as error:  # noqa: BLE001 - the refusal (or the crash) is what we measure
        issues = getattr(error, "issues", None)
        outcome = (f"refused: {issues[0]}" if issues else f"{type(error).__name__}: {error}")[:110]
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak_mb}, ensure_ascii=False))


def run_child(reader: str, path: Path, code: Path, timeout: float, environment: dict | None = None) -> dict:
    command = [sys.executable, __file__, "--child", reader, str(path), "--code", str(code)]
    env = {**os.environ, **(environment or {})}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, env=env)
    except subprocess.TimeoutExpired:
        return {"outcome": f"gave up after {timeout:.0f} s", "seconds": timeout, "peak_mb": float("nan")}
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {
            "outcome": f"child died ({done.returncode}): {tail}"[:110],
            "seconds": float("nan"),
            "peak_mb": float("nan"),
        }
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=sorted(BOMBS), help="bombs to run (default: all)")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose readers to measure")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--child", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], str(args.code.resolve()))
        return

    sys.path.insert(0, str(ROOT))
    from tests import sheets  # the same builders the tests use, at full size here

    print(f"code: {args.code}   targets: under {TARGET_SECONDS:.0f} s and {TARGET_MB} MB peak per refusal")
    print(f"{'bomb':<18}{'file':>9}  {'reader':<9}{'time':>8}{'peak':>9}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.only or BOMBS:
            builder, kwargs, what, *environment = BOMBS[name]
            path = Path(folder) / f"{name}.xlsx"
            started = time.perf_counter()
            with path.open("wb") as target:
                getattr(sheets, builder)(target, **kwargs)
            built = time.perf_counter() - started
            extra = "; " + " ".join(f"{k}={v}" for k, v in environment[0].items()) if environment else ""
            print(f"{name:<18}{path.stat().st_size / 1024:>7.0f}KB  ({what}; built in {built:.1f} s{extra})")
            for reader in READERS:
                result = run_child(reader, path, args.code.resolve(), args.timeout, *environment)
                within = result["seconds"] < TARGET_SECONDS and result["peak_mb"] < TARGET_MB
                mark = "" if reader == "floor" else ("ok " if within else "OVER ")
                print(
                    f"{'':<29}{reader:<9}{result['seconds']:>7.2f}s{result['peak_mb']:>7.0f}MB  "
                    f"{mark}{result['outcome'] if reader != 'floor' else ''}"
                )
            path.unlink()


if __name__ == "__main__":
    main()
