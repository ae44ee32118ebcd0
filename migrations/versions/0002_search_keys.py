"""Search keys on customers and contacts, the typeahead's indexes, and its tenant views.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:12:40.118204+00:00

Existing rows get their keys from SQL that approximates the Python normaliser: case folded,
accents removed with unaccent, apostrophes dropped, other punctuation made a blank, one
trailing run of legal forms removed. It agrees with `name_key` for ordinary Latin-script
names; rows that differ (rare spellings, legal forms in the middle) are still found by
their words, and get the exact key at their next write. Phones stored before
normalisation keep the digits as they were typed.

Names are matched by words through a full-text index of their keys ("simple"
configuration: the keys are folded already), and misspelt words through `search_word`, the
tenant's word list, which statement triggers fill from the keys of every write, and whose
trigram index finds the listed words closest to a typed one. Trigram indexes over whole
names were measured first: on 1,000,000 customers each lookup read most of the posting
lists of common trigrams and took 15-100 ms, where an exact-word lookup takes 1-3 ms.

The views give the search the tenant's rows with the tenant predicate written into them.
pg_trgm's and full-text operators and LIKE are not LEAKPROOF, so under row-level security
PostgreSQL applies them only after the policy and never as index conditions. A view owned
by the migration role (a superuser, or a role with BYPASSRLS) is read with its owner's
rights, so the policy is replaced by the view's own `tenant_id = clientbase_current_tenant()`
and the indexes serve. The views are not security barriers for the same reason; the
operators used through them raise no data-dependent errors, and the app role gets SELECT
only (a simple view is updatable). With a migration role that is subject to the policies,
the views stay correct and those lookups fall back to filtering the tenant's rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_TENANT = "clientbase_current_tenant()"
# A copy of the normaliser's legal forms as of this revision, frozen with it.
LEGAL_FORMS = (
    "ltda", "lda", "me", "mei", "epp", "eireli", "sa", "slu", "cia", "ecia", "sl", "sau", "slne",
    "sll", "srl", "scoop", "ycia", "sadecv", "sderl", "sderldecv", "sapidecv", "sabdecv", "sas",
    "sasu", "sarl", "eurl", "snc", "cie", "etcie", "spa", "srls", "gmbh", "mbh", "ag", "kg",
    "kgaa", "ohg", "ug", "gbr", "ek", "ev", "undco", "haftungsbeschrankt", "bv", "nv", "inc",
    "llc", "llp", "ltd", "limited", "co", "andco", "corp", "corporation", "incorporated", "plc",
    "pty",
)  # fmt: skip
# Apostrophes join the letters around them, as in the normaliser ("D'Ávila" -> "davila").
APOSTROPHES = "''\u2019`\u00b4\u02bc\u2018"
# Expressions the views expose and the indexes cover, spelled alike so the planner matches
# them: codes without case or punctuation, e-mails (stored lower-case) in byte order.
CODE_KEY = "lower(regexp_replace(code COLLATE \"C\", '[^0-9A-Za-z]+', '', 'g'))"
# lower() only wraps the collation into an expression: e-mails are stored lower-case.
EMAIL_KEY = 'lower(email COLLATE "C")'
REVERSED = "reverse(phone_digits)"
# Words shorter than this are not listed: the search looks up no shorter ones.
MIN_WORD = 3


def _lookup(table: str, name: str, expression: str | None = None) -> None:
    """A btree for equality and prefix ranges within a tenant; keys sort as bytes (C)."""
    target = sa.text(expression) if expression else name
    op.create_index(f"ix_{table}_tenant_id_{name}", table, ["tenant_id", target])


def _words(table: str, column: str) -> None:
    """GIN over the words of a name key, for names matched word by word."""
    name = f"ix_{table}_{column.removesuffix('_key')}_words"
    words = sa.text(f"to_tsvector('simple'::regconfig, {column})")
    op.create_index(name, table, [words], postgresql_using="gin")


def upgrade() -> None:
    # Byte order ("C"): prefix lookups become plain index ranges in any database locale.
    for table, column in (("customer", "name_key"), ("customer", "trade_name_key"),
                          ("customer", "tax_id_key"), ("customer", "phone_digits"),
                          ("contact", "name_key"), ("contact", "phone_digits")):  # fmt: skip
        op.add_column(table, sa.Column(column, sa.Text(collation="C")))
    # The owner is subject to the policies (FORCE) and no tenant is set here: lift FORCE
    # for the backfill, within this transaction, so the owner sees every row.
    for table in ("customer", "contact"):
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    # The word list first: its triggers collect the words of the backfilled keys.
    _create_word_list()
    _backfill()
    for table in ("customer", "contact", "search_word"):
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.alter_column("customer", "name_key", nullable=False)
    _create_indexes()
    _create_views()


def _backfill() -> None:
    forms = "|".join(" ?".join(form) for form in LEGAL_FORMS)
    assert re.fullmatch(r"[a-z ?|]+", forms)
    # Temporary functions (pg_temp): they exist for this transaction's session only.
    op.execute(
        "CREATE FUNCTION pg_temp.fold(value text) RETURNS text LANGUAGE sql AS $$ "
        f"SELECT btrim(regexp_replace(lower(unaccent(regexp_replace(value, '[{APOSTROPHES}]', "
        "'', 'g')) COLLATE pg_c_utf8), '[^[:alnum:]]+', ' ', 'g')) $$"
    )
    op.execute(
        "CREATE FUNCTION pg_temp.name_key(value text) RETURNS text LANGUAGE sql AS $$ "
        "SELECT coalesce(nullif(regexp_replace(pg_temp.fold(value), "
        f"'( ({forms}))+$', ''), ''), pg_temp.fold(value)) $$"
    )
    op.execute(
        "UPDATE customer SET name_key = pg_temp.name_key(legal_name), "
        "trade_name_key = pg_temp.name_key(trade_name), "
        "tax_id_key = nullif(upper(regexp_replace(tax_id, '[^[:alnum:]]+', '', 'g')), ''), "
        "phone_digits = nullif(regexp_replace(phone, '[^0-9]+', '', 'g'), '')"
    )
    op.execute(
        "UPDATE contact SET name_key = pg_temp.name_key(full_name), "
        "phone_digits = nullif(regexp_replace(phone, '[^0-9]+', '', 'g'), '')"
    )
    op.execute("DROP FUNCTION pg_temp.name_key(text)")
    op.execute("DROP FUNCTION pg_temp.fold(text)")


def _create_indexes() -> None:
    for column in ("name_key", "trade_name_key", "tax_id_key", "phone_digits"):
        _lookup("customer", column)
    for column in ("name_key", "phone_digits"):
        _lookup("contact", column)
    for table in ("customer", "contact"):
        _lookup(table, "email_key", EMAIL_KEY)
        # Suffixes of phone numbers ("the last digits") are prefixes of the reversed digits.
        _lookup(table, "phone_digits_reversed", REVERSED)
    _lookup("customer", "code_key", CODE_KEY)
    _words("customer", "name_key")
    _words("customer", "trade_name_key")
    _words("contact", "name_key")


# The words of the new or changed rows' keys; `keys` is an SQL expression over `changed`.
_COLLECT = """
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- No unique index to insert against: concurrent writers never wait on each other's
    -- new words (with one they did, and deadlocked). Two of them may both add a word
    -- first seen at once; the search reads the list as a set.
    INSERT INTO search_word (tenant_id, word)
    SELECT DISTINCT changed.tenant_id, typed.word
    FROM changed, unnest(string_to_array({keys}, ' ')) AS typed (word)
    WHERE length(typed.word) >= {min_word} AND NOT EXISTS (
        SELECT FROM search_word AS listed
        WHERE listed.tenant_id = changed.tenant_id AND listed.word = typed.word);
    RETURN NULL;
END $$
"""
_WORD_SOURCES = {
    "customer": "concat_ws(' ', changed.name_key, changed.trade_name_key)",
    "contact": "changed.name_key",
}


def _create_word_list() -> None:
    op.create_table(
        "search_word",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("word", sa.Text(collation="C"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name="fk_search_word_tenant_id_tenant", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_search_word_tenant_id_word", "search_word", ["tenant_id", "word"])
    op.create_index(
        "ix_search_word_word_trgm",
        "search_word",
        ["word"],
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )
    # Forced (as on every tenant table) once the backfill has filled it.
    op.execute("ALTER TABLE search_word ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_isolation ON search_word FOR ALL "
        f"USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT})"
    )
    for table, keys in _WORD_SOURCES.items():
        function = f"clientbase_{table}_words"
        op.execute(_COLLECT.format(name=function, keys=keys, min_word=MIN_WORD))
        # Transition tables allow no column list: every UPDATE statement runs it, once.
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {table}_words_{event.lower()} AFTER {event} ON {table} "
                "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {function}()"
            )


def _create_views() -> None:
    role = _app_role()
    op.execute(
        "CREATE VIEW customer_search AS SELECT id, tenant_id, name_key, trade_name_key, "  # noqa: S608
        f"tax_id_key, phone_digits, {REVERSED} AS phone_digits_reversed, {EMAIL_KEY} AS email, "
        f"{CODE_KEY} AS code_key FROM customer "
        f"WHERE tenant_id = {CURRENT_TENANT} AND status <> 'MERGED'"
    )
    op.execute(
        "CREATE VIEW contact_search AS SELECT id, tenant_id, customer_id, name_key, "  # noqa: S608
        f"phone_digits, {REVERSED} AS phone_digits_reversed, {EMAIL_KEY} AS email FROM contact "
        f"WHERE tenant_id = {CURRENT_TENANT}"
    )
    op.execute(
        "CREATE VIEW word_search AS SELECT tenant_id, word FROM search_word "  # noqa: S608
        f"WHERE tenant_id = {CURRENT_TENANT}"
    )
    op.execute(f"GRANT SELECT ON customer_search, contact_search, word_search TO {role}")
    # The triggers run as the writer, the application role.
    op.execute(f"GRANT SELECT, INSERT ON search_word TO {role}")


def _app_role() -> str:
    config = op.get_context().config
    role = config.attributes.get("app_role") if config is not None else None
    if not role:
        from clientbase.core.config import get_settings

        role = get_settings().app_role
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", role):
        raise ValueError(f"app_role must be a plain SQL identifier, got {role!r}")
    return '"' + role + '"'


def downgrade() -> None:
    for view in ("word_search", "contact_search", "customer_search"):
        op.execute(f"DROP VIEW {view}")
    for table in _WORD_SOURCES:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER {table}_words_{event} ON {table}")
        op.execute(f"DROP FUNCTION clientbase_{table}_words()")
    op.drop_table("search_word")
    for table, columns in (
        ("contact", ("name_key", "phone_digits")),
        ("customer", ("name_key", "trade_name_key", "tax_id_key", "phone_digits")),
    ):
        # Their indexes go with the columns; the e-mail and code ones need dropping.
        for column in columns:
            op.drop_column(table, column)
    op.drop_index("ix_customer_tenant_id_email_key", "customer")
    op.drop_index("ix_contact_tenant_id_email_key", "contact")
    op.drop_index("ix_customer_tenant_id_code_key", "customer")
