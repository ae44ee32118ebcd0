"""Customers: the registry's central record."""
