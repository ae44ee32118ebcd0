"""Inventory: serial-numbered products, licences and services installed at customers' sites."""
