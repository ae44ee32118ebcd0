"""Contracts: agreements with a customer under which its inventory is supplied."""
