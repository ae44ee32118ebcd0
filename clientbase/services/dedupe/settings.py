"""A tenant's duplicate settings, kept in its settings document like its default country:
the review and likely thresholds on the match score, and the rule a create or update
meets in each band (ALLOW, WARN: saved with a warning, BLOCK: refused unless confirmed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.core.db import bind_tenant
from clientbase.models.tenant import Tenant
from clientbase.services.auth import service as auth
from clientbase.services.dedupe.scoring import DEFAULT_LIKELY, DEFAULT_REVIEW, LIKELY, REVIEW
from clientbase.services.errors import ErrorCode, problem

# Keys of the tenant's settings document.
REVIEW_THRESHOLD = "duplicate_review_threshold"
LIKELY_THRESHOLD = "duplicate_likely_threshold"
REVIEW_RULE = "duplicate_review_rule"
LIKELY_RULE = "duplicate_likely_rule"


class DuplicateRule(StrEnum):
    ALLOW = "ALLOW"
    WARN = "WARN"
    BLOCK = "BLOCK"


@dataclass(frozen=True)
class DuplicateSettings:
    review: float = DEFAULT_REVIEW
    likely: float = DEFAULT_LIKELY
    # By default a likely duplicate is saved with a warning and a possible one silently.
    on_review: DuplicateRule = DuplicateRule.ALLOW
    on_likely: DuplicateRule = DuplicateRule.WARN

    def rule(self, band: str) -> DuplicateRule:
        return {REVIEW: self.on_review, LIKELY: self.on_likely}[band]

    @property
    def checks_writes(self) -> bool:
        return self.on_review != DuplicateRule.ALLOW or self.on_likely != DuplicateRule.ALLOW


def _read(tenant: Tenant | None) -> DuplicateSettings:
    stored = tenant.settings if tenant is not None else {}
    default = DuplicateSettings()
    review, likely = stored.get(REVIEW_THRESHOLD), stored.get(LIKELY_THRESHOLD)
    on_review, on_likely = stored.get(REVIEW_RULE), stored.get(LIKELY_RULE)
    return DuplicateSettings(
        review=float(review) if isinstance(review, int | float) else default.review,
        likely=float(likely) if isinstance(likely, int | float) else default.likely,
        on_review=DuplicateRule(on_review) if isinstance(on_review, str)
        and on_review in DuplicateRule.__members__ else default.on_review,
        on_likely=DuplicateRule(on_likely) if isinstance(on_likely, str)
        and on_likely in DuplicateRule.__members__ else default.on_likely,
    )  # fmt: skip


async def duplicate_settings(session: AsyncSession, tenant_id: uuid.UUID) -> DuplicateSettings:
    return _read(await auth.get_tenant(session, tenant_id))


async def set_duplicate_settings(
    session: AsyncSession, tenant: Tenant, settings: DuplicateSettings
) -> None:
    """Store `settings` on the tenant; thresholds must satisfy 0 < review <= likely <= 1."""
    if not 0 < settings.review <= settings.likely <= 1:
        raise problem("threshold", ErrorCode.INVALID,
                      "Thresholds must satisfy 0 < review <= likely <= 1.")  # fmt: skip
    await bind_tenant(session, tenant.id)
    # A new dict: the JSONB column does not track changes made inside the old one.
    tenant.settings = {
        **tenant.settings,
        REVIEW_THRESHOLD: settings.review,
        LIKELY_THRESHOLD: settings.likely,
        REVIEW_RULE: settings.on_review.value,
        LIKELY_RULE: settings.on_likely.value,
    }
    await session.flush()
