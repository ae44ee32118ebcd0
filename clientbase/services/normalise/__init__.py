"""Pure normalisation of customer data (phones, e-mails, tax IDs, name match keys).

No database and no I/O: mutations, imports and duplicate detection call these and turn a
`NormalisationError` into a problem on its `field`.
"""

from __future__ import annotations

from clientbase.services.normalise.common import NormalisationError, digits
from clientbase.services.normalise.email import normalise_email
from clientbase.services.normalise.name_key import fold_words, name_key, name_tokens
from clientbase.services.normalise.phone import normalise_phone, phone_digits
from clientbase.services.normalise.tax_id import compact_tax_id, normalise_tax_id, tax_id_digits

__all__ = [
    "NormalisationError",
    "compact_tax_id",
    "digits",
    "fold_words",
    "name_key",
    "name_tokens",
    "normalise_email",
    "normalise_phone",
    "normalise_tax_id",
    "phone_digits",
    "tax_id_digits",
]
