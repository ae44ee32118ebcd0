"""Duplicate candidates: pairs of customers a scan found alike, with the reasons, for review.

A pair is stored once, ordered (customer_a_id < customer_b_id). The versions of both
customers when the pair was scored are kept, so a dismissed pair is proposed again only
after one of them changes. A merge (later) marks its pairs MERGED.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import (
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    enum_check,
    uuid_pk,
)


class CandidateStatus(StrEnum):
    OPEN = "OPEN"
    DISMISSED = "DISMISSED"
    MERGED = "MERGED"


class MatchBand(StrEnum):
    REVIEW = "REVIEW"
    LIKELY = "LIKELY"


class DuplicateCandidate(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "duplicate_candidate"
    tenant_id_index = False  # the unique and listing indexes lead with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "customer_a_id", "customer_b_id"),
        # Composite, like every reference to a customer: a foreign-key check bypasses
        # row-level security, so the tenant is part of the reference.
        ForeignKeyConstraint(
            ["tenant_id", "customer_a_id"], ["customer.tenant_id", "customer.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "customer_b_id"], ["customer.tenant_id", "customer.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("customer_a_id < customer_b_id", name="ordered"),
        enum_check("status", CandidateStatus),
        enum_check("band", MatchBand),
        # duplicateCandidates: by status, best first.
        Index("ix_duplicate_candidate_tenant_id_status_score", "tenant_id", "status", "score",
              "id"),
        Index("ix_duplicate_candidate_customer_b_id", "customer_b_id"),
        Index("ix_duplicate_candidate_cluster_id", "cluster_id"),
    )  # fmt: skip

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_a_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    customer_b_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    version_a: Mapped[int] = mapped_column(Integer, nullable=False)
    version_b: Mapped[int] = mapped_column(Integer, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    band: Mapped[str] = mapped_column(String(16), nullable=False)
    # [{"field", "method", "score", "weight"}], as the matcher explained the pair.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, default=list, server_default="[]"
    )
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=CandidateStatus.OPEN.value, server_default="OPEN"
    )
    # The smallest customer id of the pair's cluster (union-find over the open pairs).
    cluster_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(Text)
