# Reminders, escalation, notices and notifications arrive with the reminders issue.
