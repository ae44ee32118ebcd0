"""The tenant's word list: every word of its customers' and contacts' name keys.

Filled by statement triggers on customer and contact (migration 0002), never by the
application; the typeahead reads it to turn a misspelt word into the listed words
closest to it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base


class SearchWord(Base):
    __tablename__ = "search_word"
    __table_args__ = (
        Index(
            "ix_search_word_word_trgm",
            "word",
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[str] = mapped_column(Text(collation="C"), primary_key=True)
