"""Files stored in PostgreSQL in chunks: uploads, exports and error reports."""
