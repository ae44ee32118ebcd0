"""E-mail addresses checked for syntax with `email-validator` (no DNS) and lower-cased."""

from __future__ import annotations

import functools

from email_validator import EmailNotValidError, validate_email

from clientbase.services.normalise.common import CACHED_VALUES, NormalisationError


@functools.lru_cache(maxsize=CACHED_VALUES)
def normalise_email(raw: str, field: str = "email") -> str:
    """The library's normalised form of `raw`, lower-cased entirely.

    The product treats addresses case-insensitively, so the local part is lower-cased
    too. Internationalised domains stay in their Unicode form ("user@bücher.de"), which
    is what email-validator calls normalised; an "xn--" domain is converted to it.
    Special-use domains (".test", ".local", "localhost") are refused, as the library
    does by default, because no customer can receive mail there.
    """
    # Pasted addresses often carry surrounding blanks, which the library counts as syntax.
    text = raw.strip()
    if not text:
        raise NormalisationError(field, f"`{field}` is empty.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise NormalisationError(field, f"`{field}`: {exc}") from exc
    return result.normalized.lower()
