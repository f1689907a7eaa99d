"""The reporting ledger: which reports each unit owes, and which it filed on time, late or not at all.

- models: Obligation (one report owed) and AssignmentTerm (a unit's time on a task);
- states: the states, the transitions between them, and what a state is at a moment;
- sync: the writes, called by every service that changes reports, assignments, tasks or periods;
- read: the one reader, for pages, jobs and what counts reports;
- check: the ledger rebuilt from scratch and compared (manage.py ledger_check).
"""
