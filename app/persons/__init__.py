"""One person, one record: the legal identity behind working names, as a keyed hash."""
