"""Reads of tasks and reports for the pages, one module per page.

scope: the tasks, reports and requests a user may see (the one rule for those lookups);
states: a report's state as the pages name it; task_page, timeline, workspace, report_page,
review, matrix, requests: what each page shows. Campaigns, tasks and reports
follow accounts.access.visible_to and nothing else. Every reader runs a fixed number of
queries, whatever the number of rows.
"""
