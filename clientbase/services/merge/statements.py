"""The set-based SQL of a merge and its undo: one statement per table, whatever the number of
rows. Each moves rows, writes an audit event per row and appends what it did to the merge's
record, so nothing of a 50,000-item customer passes through Python."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import TextClause, text


@dataclass(frozen=True)
class Moved:
    """A table whose rows follow their customer: `kept` are the other columns a merge may
    change, with their SQL type (for reading them back from the record)."""

    table: str
    entity: str
    key: str
    kept: tuple[tuple[str, str], ...] = ()


CONTACTS = Moved("contact", "Contact", "contacts", (("is_primary", "boolean"),))
CONTRACTS = Moved("contract", "Contract", "contracts")
SITES = Moved("site", "Site", "sites")
ITEMS = Moved("inventory_item", "InventoryItem", "items", (("site_id", "uuid"),))
MOVED = (ITEMS, CONTACTS, CONTRACTS, SITES)

# The item foreign keys to contract and site are DEFERRABLE for this: a customer's
# contracts, sites and items cannot move one after the other without a moment in between.
DEFER = text(
    "SET CONSTRAINTS fk_inventory_item_customer_id_contract_id_contract, "
    "fk_inventory_item_customer_id_site_id_site DEFERRED"
)
# Checked now, inside the service, rather than at commit where no input can be blamed.
CHECK_NOW = text(
    "SET CONSTRAINTS fk_inventory_item_customer_id_contract_id_contract, "
    "fk_inventory_item_customer_id_site_id_site IMMEDIATE"
)

_AUDIT = (
    "INSERT INTO audit_event (tenant_id, occurred_at, actor_kind, actor_id, actor_label, "
    "action, entity_type, entity_id, changes, request_id) "
    "SELECT CAST(:tenant AS uuid), CAST(:now AS timestamptz), :actor_kind, :actor_id, "
    ":actor_label, '{action}', '{entity}', m.id, {changes}, :request_id FROM moved m"
)
_RECORD_APPEND = (
    "UPDATE customer_merge SET record = record || jsonb_build_object('{key}', "
    "(SELECT coalesce(jsonb_agg({item} ORDER BY m.id), '[]'::jsonb) FROM moved m)) "
    "WHERE id = CAST(:merge_id AS uuid)"
)


def _changes(spec: Moved) -> str:
    """Per row: {column: {before, after}} for the customer and each kept column that changed."""
    terms = [
        "jsonb_build_object('customer_id', jsonb_build_object('before', m.old_customer_id, "
        "'after', m.new_customer_id), 'merge_id', CAST(:merge_id AS uuid))"
    ]
    for column, _ in spec.kept:
        terms.append(
            f"CASE WHEN m.old_{column} IS DISTINCT FROM m.new_{column} THEN jsonb_build_object("
            f"'{column}', jsonb_build_object('before', m.old_{column}, 'after', m.new_{column})) "
            "ELSE '{}'::jsonb END"
        )
    return " || ".join(terms)


def _returning(spec: Moved) -> str:
    columns = [
        "t.id",
        "t.version",
        "old.customer_id AS old_customer_id",
        "t.customer_id AS new_customer_id",
    ]
    for column, _ in spec.kept:
        columns += [f"old.{column} AS old_{column}", f"t.{column} AS new_{column}"]
    return ", ".join(columns)


def move(spec: Moved, sets: dict[str, str], join: str = "", where: str = "") -> TextClause:
    """Move the rows of the merged customers (:merged) to :survivor. `sets` gives the new
    value of kept columns in terms of `old` (the row before) and what `join` brings."""
    kept = "".join(f", {column}" for column, _ in spec.kept)
    assignments = "".join(f", {column} = {value}" for column, value in sets.items())
    item = (
        "jsonb_build_object('id', m.id, 'version', m.version, 'customer_id', m.old_customer_id"
        + "".join(f", '{c}', m.old_{c}" for c, _ in spec.kept)
        + ")"
    )
    return text(
        f"WITH old AS (SELECT id, customer_id{kept} FROM {spec.table} "  # noqa: S608
        f"WHERE customer_id = ANY(CAST(:merged AS uuid[])){where} ORDER BY id FOR UPDATE), "
        f"moved AS (UPDATE {spec.table} t SET customer_id = CAST(:survivor AS uuid){assignments}, "
        f"version = t.version + 1, updated_at = now() FROM old {join} WHERE t.id = old.id "
        f"RETURNING {_returning(spec)}), "
        "events AS ("
        + _AUDIT.format(action=f"{spec.entity}.merge", entity=spec.entity, changes=_changes(spec))
        + ") "
        + _RECORD_APPEND.format(key=spec.key, item=item)
    )


def _recorded(spec: Moved, extra: str = "") -> str:
    """The rows a merge recorded for `spec`, as a set (r)."""
    columns = "".join(f", {column} {type_}" for column, type_ in spec.kept)
    return (
        f"SELECT r.* FROM customer_merge g CROSS JOIN LATERAL jsonb_to_recordset("  # noqa: S608
        f"g.record -> '{spec.key}') AS r (id uuid, version int, customer_id uuid{columns}{extra}) "
        "WHERE g.id = CAST(:merge_id AS uuid)"
    )


def move_back(spec: Moved) -> TextClause:
    """Put the rows a merge moved back where they were (owner and kept columns)."""
    kept = "".join(f", t.{column}, r.{column} AS to_{column}" for column, _ in spec.kept)
    assignments = "".join(f", {column} = old.to_{column}" for column, _ in spec.kept)
    return text(
        f"WITH r AS ({_recorded(spec)}), "  # noqa: S608
        f"old AS (SELECT t.id, t.customer_id, r.customer_id AS to_customer_id{kept} "
        f"FROM {spec.table} t JOIN r ON r.id = t.id ORDER BY t.id FOR UPDATE OF t), "
        f"moved AS (UPDATE {spec.table} t SET customer_id = old.to_customer_id{assignments}, "
        "version = t.version + 1, updated_at = now() FROM old WHERE t.id = old.id "
        f"RETURNING {_returning(spec)}) "
        + _AUDIT.format(
            action=f"{spec.entity}.mergeUndo", entity=spec.entity, changes=_changes(spec)
        )
    )


def changed_since(spec: Moved) -> TextClause:
    """Rows the merge moved that are gone, or written since (their version moved on)."""
    return text(
        f"SELECT r.id, t.version FROM ({_recorded(spec)}) AS r "  # noqa: S608
        f"LEFT JOIN {spec.table} t ON t.id = r.id "
        "WHERE t.id IS NULL OR t.version <> r.version OR t.customer_id <> CAST(:survivor AS uuid) "
        "ORDER BY r.id LIMIT :limit"
    )


# Items the merge did not move that now use a contract or site it moved: moving that
# contract or site back would take it from under them.
NEW_USERS = text(
    f"WITH c AS MATERIALIZED ({_recorded(CONTRACTS)}), "  # noqa: S608
    f"s AS MATERIALIZED ({_recorded(SITES)}), i AS MATERIALIZED ({_recorded(ITEMS)}), "
    # A union of two index lookups, then one hashed anti-join: a plain NOT EXISTS against
    # the record was evaluated per item, quadratic in a large merge.
    "users AS (SELECT t.id FROM inventory_item t JOIN c ON t.contract_id = c.id "
    "UNION SELECT t.id FROM inventory_item t JOIN s ON t.site_id = s.id) "
    "SELECT u.id FROM users u LEFT JOIN i ON i.id = u.id WHERE i.id IS NULL "
    "ORDER BY u.id LIMIT :limit"
)

# Sites folded into a survivor's site of the same name: deleted, their rows kept whole.
DROP_COMBINED_SITES = text(
    "WITH gone AS (DELETE FROM site WHERE id = ANY(CAST(:sources AS uuid[])) RETURNING *), "  # noqa: S608
    "moved AS (SELECT g.id, g.customer_id AS old_customer_id, s.target FROM gone g "
    "JOIN unnest(CAST(:sources AS uuid[]), CAST(:targets AS uuid[])) AS s (source, target) "
    "ON s.source = g.id), "
    "events AS ("
    + _AUDIT.format(
        action="Site.merge",
        entity="Site",
        changes="jsonb_build_object('combined_into', m.target, "
        "'merge_id', CAST(:merge_id AS uuid))",
    )
    + ") UPDATE customer_merge SET record = record || jsonb_build_object('combined_sites', "
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('row', to_jsonb(g), 'into', s.target) "
    "ORDER BY g.id), '[]'::jsonb) FROM gone g JOIN unnest(CAST(:sources AS uuid[]), "
    "CAST(:targets AS uuid[])) AS s (source, target) ON s.source = g.id)) "
    "WHERE id = CAST(:merge_id AS uuid)"
)

# The deleted sites again, exactly as they were (same id, version and timestamps): nobody
# saw another state of them in between.
RESTORE_COMBINED_SITES = text(
    "WITH restored AS (INSERT INTO site SELECT (jsonb_populate_record(NULL::site, x -> 'row')).* "  # noqa: S608
    "FROM customer_merge g CROSS JOIN LATERAL jsonb_array_elements(g.record -> 'combined_sites') "
    "AS x WHERE g.id = CAST(:merge_id AS uuid) RETURNING id), "
    "moved AS (SELECT id FROM restored) "
    + _AUDIT.format(
        action="Site.mergeUndo",
        entity="Site",
        changes="jsonb_build_object('merge_id', CAST(:merge_id AS uuid))",
    )
)

# Pairs between the merged customers and the survivor: MERGED, their state before recorded.
MARK_CANDIDATES = text(
    "WITH old AS (SELECT id, status, resolved_at, resolved_by FROM duplicate_candidate "
    "WHERE customer_a_id = ANY(CAST(:everyone AS uuid[])) "
    "AND customer_b_id = ANY(CAST(:everyone AS uuid[])) ORDER BY id FOR UPDATE), "
    "moved AS (UPDATE duplicate_candidate t SET status = 'MERGED', resolved_at = now(), "
    "resolved_by = :resolved_by, version = t.version + 1, updated_at = now() FROM old "
    "WHERE t.id = old.id RETURNING t.id, old.status, old.resolved_at, old.resolved_by) "
    "UPDATE customer_merge SET record = record || jsonb_build_object('candidates', "
    "(SELECT coalesce(jsonb_agg(to_jsonb(m) ORDER BY m.id), '[]'::jsonb) FROM moved m)) "
    "WHERE id = CAST(:merge_id AS uuid)"
)

# Other open pairs of a merged customer compared a record that no longer stands alone: they
# go, and the next scan compares the survivor (whose version moved) afresh.
DROP_CANDIDATES = text(
    "DELETE FROM duplicate_candidate WHERE status = 'OPEN' "
    "AND (customer_a_id = ANY(CAST(:merged AS uuid[])) "
    "OR customer_b_id = ANY(CAST(:merged AS uuid[])))"
)

RESTORE_CANDIDATES = text(
    "UPDATE duplicate_candidate t SET status = r.status, resolved_at = r.resolved_at, "
    "resolved_by = r.resolved_by, version = t.version + 1, updated_at = now() "
    "FROM customer_merge g CROSS JOIN LATERAL jsonb_to_recordset(g.record -> 'candidates') "
    "AS r (id uuid, status text, resolved_at timestamptz, resolved_by text) "
    "WHERE g.id = CAST(:merge_id AS uuid) AND t.id = r.id AND t.status = 'MERGED'"
)
