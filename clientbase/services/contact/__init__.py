"""Contacts: the people to talk to at a customer, at most one of them primary."""
