"""Response documents built as JSON by PostgreSQL: one statement per selection tree."""
