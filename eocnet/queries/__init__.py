"""Reads that the JSON API and the pages both make, as SQL statements built for an
``Actor``: the audit trail (audit.py) and full-text search (search.py). Beside
``actions/`` and below ``api/`` and ``web/``, so neither has to import the other."""
