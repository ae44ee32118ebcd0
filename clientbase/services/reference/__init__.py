"""Reference data: product types, customer categories and company types."""
