"""Demo data: the shared unit directory and two real campaigns, copied into the project so that
`load_demo` never reads outside it."""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent / "data"
UNITS_FILE = DEMO_DIR / "units.xlsx"
CAMPAIGN_FILES = {
    "strict-supervision-2022": DEMO_DIR / "campaign-strict-supervision-2022.xlsx",
    "efficiency-year-2026": DEMO_DIR / "campaign-efficiency-year-2026.xlsx",
}
