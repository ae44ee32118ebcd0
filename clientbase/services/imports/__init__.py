"""Imports of customers, their children and reference data from CSV, XLSX and JSONL files.

The file is spooled from PostgreSQL to a private temporary file in the worker, read as a
stream of rows, validated by the same services as the mutations, and written in chunks
(COPY into a staging table, then set-based INSERT ... ON CONFLICT), each chunk committed
with its row errors and the job's checkpoint in one transaction.
"""
