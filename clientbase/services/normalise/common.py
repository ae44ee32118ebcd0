"""The error every normaliser raises and the digit helper they share."""

from __future__ import annotations

import unicodedata

# Normalisers remember this many recent results: they are pure, and an import runs them on
# the next chunk in a reading thread, ahead of the checks, which then find them here.
CACHED_VALUES = 65_536


class NormalisationError(ValueError):
    """Input that cannot be normalised: `field` names the input, `reason` tells the user why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason

    def __str__(self) -> str:
        return self.reason

    def __reduce__(self) -> tuple[type[NormalisationError], tuple[str, str]]:
        # The default pickling replays args=(reason,) into __init__, which needs both fields.
        return (type(self), (self.field, self.reason))


def digits(raw: str) -> str:
    """The ASCII digits of `raw`, in order; everything else is dropped."""
    # NFKC first so full-width and other compatibility digits pasted from documents count.
    return "".join(ch for ch in unicodedata.normalize("NFKC", raw) if "0" <= ch <= "9")
