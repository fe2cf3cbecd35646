"""Use cases: one unit of work each, plain data out, never ORM objects to the UI."""
