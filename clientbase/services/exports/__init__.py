"""Exports: any entity's filtered rows as CSV, XLSX or JSONL, streamed into a stored file."""
