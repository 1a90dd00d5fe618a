"""Credentials: password hashing, TOTP second factor, API tokens, recovery codes.

A room of its own (not in DESIGN.md's first map) because these rules are used by
``actions/``, ``api/`` and ``web/`` alike and need neither a database nor a web
framework; see docs/architecture.md.
"""
