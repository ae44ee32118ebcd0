"""clientbase: a customer registry and installed-base service."""

__version__ = "0.1.0"
