"""The vocabulary and rules of eocnet as plain Python: no database, no web framework."""
