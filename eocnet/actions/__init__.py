"""Every change to stored data: check, write in one transaction, audit, publish after commit.

The API, the web pages, the CLI and the jobs all call these functions, so each rule
is written once. Naming: ``access_*`` fetches with a permission check, ``create_*``,
``update_*``, ``set_*`` and other verbs write and audit.
"""
