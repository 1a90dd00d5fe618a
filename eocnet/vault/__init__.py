"""Personal data at rest: envelope encryption with a data key per tracing notice.

A room of its own (not in DESIGN.md's first map) so that the only code that can turn
ciphertext into names is small and in one place; ``actions/tracing.py`` calls it
behind the access check that writes the audit entry. See docs/architecture.md.
"""
