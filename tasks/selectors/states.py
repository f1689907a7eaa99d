"""A report's state as the pages name it. What a unit owes and where it stands comes from the
ledger (tasks.ledger.states.shown); these names and labels are the ledger's shown states, and a
report's own status where a page shows a report (the review queue)."""

from __future__ import annotations

from ..ledger import states as ledger
from ..models import ProgressReport

MISSING = ledger.MISSING
NOT_DUE = ledger.NOT_DUE
FIX_OVERDUE = ledger.FIX_OVERDUE
NOT_OWED = ledger.NOT_OWED
RESUBMITTED = ledger.RESUBMITTED
DRAFT = ProgressReport.Status.DRAFT
SUBMITTED = ProgressReport.Status.SUBMITTED
RETURNED = ProgressReport.Status.RETURNED
ACCEPTED = ProgressReport.Status.ACCEPTED
# A report's status keeps its short label ("returned"); the other shown states are the ledger's.
STATE_LABELS = {**ledger.SHOWN_LABELS, **dict(ProgressReport.Status.choices)}

# Shown states that need nothing more from the unit, and those that count as overdue.
SETTLED = (SUBMITTED, RESUBMITTED, ACCEPTED, NOT_OWED)
OVERDUE = (MISSING, FIX_OVERDUE)
