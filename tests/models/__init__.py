"""Tests of the SQLAlchemy models, the migrations and the database's own guarantees."""
