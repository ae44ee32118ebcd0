"""Reading lists: keyset pagination (also per parent, in one statement) and typed filters."""
