"""Reads for the dashboards, one module per page.

lists: the drill-down lists (tasks, reports, coordination requests) behind every number, which
the cards count so that a card's number is its list's length; the others: what each dashboard and
home page shows. Everything follows accounts.access.visible_to and the ledger's readers.
"""
