"""Demo data for a tenant: realistic customers, contacts, sites, contracts and inventory.

`seed_customers` generates rows in Python (see `generator`) and loads them with COPY in
batches (see `loader`); `clientbase seed` is its command line.
"""

from clientbase.services.seed.service import (
    DEFAULT_BATCH_SIZE,
    SeedResult,
    ensure_tenant,
    seed_customers,
)

__all__ = ["DEFAULT_BATCH_SIZE", "SeedResult", "ensure_tenant", "seed_customers"]
