"""The tenant's word list: every word of its customers' and contacts' name keys.

Filled by statement triggers on customer and contact (migration 0002), never by the
application; the typeahead reads it to turn a misspelt word into the listed words
closest to it. It has no primary key in the database: a unique index made concurrent
writers wait on each other's new words, and deadlock; a word listed twice does no harm.
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
        Index("ix_search_word_tenant_id_word", "tenant_id", "word"),
        Index(
            "ix_search_word_word_trgm",
            "word",
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False
    )
    word: Mapped[str] = mapped_column(Text(collation="C"), nullable=False)

    # The mapper needs an identity; the table does not (see above).
    __mapper_args__ = {"primary_key": [tenant_id, word]}
