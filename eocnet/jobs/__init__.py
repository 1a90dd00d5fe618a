"""Scheduled work: alert reminders and escalations, the e-mail outbox, webhook deliveries.

Each job is a plain function of (database, settings, now) that does one round of work
and returns what it did; ``runner`` calls them periodically inside the server, and
``eocnet jobs run`` runs them in a process of their own.
"""
