"""Callers and their credentials: tenants, API keys and the principal of a request."""
