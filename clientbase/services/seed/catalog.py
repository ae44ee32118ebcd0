"""Reference data every seeded tenant gets: product types, customer categories, company types."""

from __future__ import annotations

from typing import NamedTuple

LIMITED = "Limited company"
CORPORATION = "Corporation"
SOLE_TRADER = "Sole proprietorship"
PARTNERSHIP = "Partnership"
COOPERATIVE = "Cooperative"

COMPANY_TYPES = (LIMITED, CORPORATION, SOLE_TRADER, PARTNERSHIP, COOPERATIVE)

CATEGORIES = ("Key account", "Small business", "Retail", "Public sector", "Residential")


class Product(NamedTuple):
    name: str
    kind: str
    # Serial numbers start with it, so an item's serial says what it is.
    serial_prefix: str
    # How often it is installed, relative to the others.
    weight: int


PRODUCTS = (
    Product("Router X200", "PRODUCT", "RX2", 6),
    Product("Switch S48 PoE", "PRODUCT", "S48", 3),
    Product("Access Point AP-7", "PRODUCT", "AP7", 5),
    Product("Firewall F500", "PRODUCT", "FW5", 2),
    Product("ONT GPON G-140", "PRODUCT", "ONT", 5),
    Product("IP Phone T46", "PRODUCT", "T46", 4),
    Product("Fiber 1 Gbps", "SERVICE", "FB1", 4),
    Product("Managed Wi-Fi", "SERVICE", "MWF", 2),
    Product("Cloud Backup 1 TB", "SERVICE", "BKP", 2),
    Product("Antivirus Pro", "LICENSE", "AVP", 4),
    Product("Office Suite Business", "LICENSE", "OSB", 3),
)
