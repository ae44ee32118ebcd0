"""Compiled reads: queries whose every field maps to a column or a relation are answered by
one SQL statement per root field that writes the response JSON in PostgreSQL."""
