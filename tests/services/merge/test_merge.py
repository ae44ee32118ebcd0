"""customersMerge in the service: every relation kind moves, same-name sites become one,
primaries and pairs are settled, and the record says exactly what moved."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.core.db import Database
from clientbase.models import AuditEvent, Customer, CustomerMerge, DuplicateCandidate
from clientbase.services.errors import DomainError
from clientbase.services.merge import service
from clientbase.services.merge.plan import MergeRequest, Override, OverrideField
from tests.models.factories import make_customer, make_item, make_site, make_tenant
from tests.services.merge.helpers import Scene, actor, scene


async def _owner(db: AsyncSession, table: str, row_id: uuid.UUID) -> uuid.UUID:
    found = await db.scalar(text(f"SELECT customer_id FROM {table} WHERE id = :id"),  # noqa: S608
                            {"id": row_id})  # fmt: skip
    assert found is not None
    return uuid.UUID(str(found))


async def _merge(db: AsyncSession, s: Scene, **extra: object) -> CustomerMerge:
    request = MergeRequest(s.survivor, [s.first, s.second], **extra)  # type: ignore[arg-type]
    return await service.merge(db, s.actor, request)


async def test_everything_moves_to_the_survivor(db: AsyncSession) -> None:
    s = await scene(db)
    merge = await _merge(db, s)
    for table, key in (("contact", "a_contact"), ("contact", "b_contact"),
                       ("contract", "a_contract"), ("contract", "b_contract"),
                       ("site", "a_site"), ("site", "b_site"), ("inventory_item", "a_item"),
                       ("inventory_item", "a_item_same"), ("inventory_item", "b_item")):  # fmt: skip
        assert await _owner(db, table, s.ids[key]) == s.survivor, key
    for merged in (s.first, s.second):
        row = await db.get(Customer, merged)
        assert row is not None and (row.status, row.merged_into_id) == ("MERGED", s.survivor)
    assert merge.status == "APPLIED" and merge.merged_ids == [s.first, s.second]
    record = merge.record
    assert {r["id"] for r in record["items"]} == {
        str(s.ids[k]) for k in ("a_item", "a_item_same", "b_item")
    }
    assert {r["id"] for r in record["contacts"]} == {str(s.ids["a_contact"]),
                                                     str(s.ids["b_contact"])}  # fmt: skip
    assert [m["status"] for m in record["merged"]] == ["INACTIVE", "ACTIVE"]


async def test_sites_of_the_same_name_become_the_survivors(db: AsyncSession) -> None:
    s = await scene(db)
    merge = await _merge(db, s)
    gone = await db.scalar(text("SELECT count(*) FROM site WHERE id = :id"),
                           {"id": s.ids["a_site_same"]})  # fmt: skip
    assert gone == 0
    site = await db.scalar(text("SELECT site_id FROM inventory_item WHERE id = :id"),
                           {"id": s.ids["a_item_same"]})  # fmt: skip
    assert site == s.ids["s_site"]
    [combined] = merge.record["combined_sites"]
    assert combined["into"] == str(s.ids["s_site"])
    assert combined["row"]["name"] == "loja  centro" and combined["row"]["address_city"] == "X"


async def test_the_survivor_keeps_its_primary_contact_and_versions_move(db: AsyncSession) -> None:
    s = await scene(db)
    await _merge(db, s)
    primaries = (
        await db.execute(
            text("SELECT id FROM contact WHERE customer_id = :s AND is_primary"), {"s": s.survivor}
        )
    ).all()
    assert [p.id for p in primaries] == [s.ids["s_contact"]]
    versions = dict((await db.execute(text("SELECT id, version FROM contact"))).all())
    assert versions[s.ids["a_contact"]] == 2 and versions[s.ids["s_contact"]] == 1
    survivor = await db.get(Customer, s.survivor)
    assert survivor is not None and survivor.version == 2


async def test_without_a_primary_the_survivor_takes_the_first_merged_ones(
    db: AsyncSession,
) -> None:
    s = await scene(db)
    await db.execute(text("UPDATE contact SET is_primary = false WHERE id = :id"),
                     {"id": s.ids["s_contact"]})  # fmt: skip
    await _merge(db, s)
    primary = await db.scalar(text("SELECT id FROM contact WHERE customer_id = :s AND is_primary"),
                              {"s": s.survivor})  # fmt: skip
    assert primary == s.ids["a_contact"]


async def test_pairs_are_settled(db: AsyncSession) -> None:
    s = await scene(db)
    await _merge(db, s)
    pair = await db.get(DuplicateCandidate, s.ids["pair_sa"], populate_existing=True)
    assert pair is not None and pair.status == "MERGED" and pair.resolved_at is not None
    # B's open pair with an outsider compared a customer that no longer stands alone.
    assert await db.scalar(select(DuplicateCandidate.id).where(
        DuplicateCandidate.id == s.ids["pair_bo"])) is None  # fmt: skip


async def test_overrides_copy_identity_fields_with_their_keys(db: AsyncSession) -> None:
    s = await scene(db)
    overrides = [Override(OverrideField.PHONE, s.first), Override(OverrideField.EMAIL, s.first),
                 Override(OverrideField.LEGAL_NAME, s.second)]  # fmt: skip
    merge = await _merge(db, s, overrides=overrides)
    survivor = await db.get(Customer, s.survivor)
    assert survivor is not None
    assert (survivor.phone, survivor.email) == ("+5522", "a@example.com")
    assert (survivor.legal_name, survivor.name_key) == ("Padaria Centrale", "padaria centrale")
    fields = merge.record["survivor"]["fields"]
    assert fields["phone"] == {"before": "+5511", "after": "+5522"}
    assert fields["legal_name"]["before"] == "Padaria Central Ltda"


async def test_the_audit_trail_records_what_moved(db: AsyncSession) -> None:
    s = await scene(db)
    merge = await _merge(db, s)
    events = (await db.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(["Customer.merge", "InventoryItem.merge"])))).all()  # fmt: skip
    survivor_event = next(e for e in events if e.entity_id == s.survivor)
    assert survivor_event.changes is not None
    assert survivor_event.changes["merge_id"] == str(merge.id)
    # A summary: the rows are in the merge's record and in their own events.
    assert survivor_event.changes["moved"]["items"] == len(merge.record["items"]) > 0
    assert "items" not in survivor_event.changes
    assert survivor_event.changes["survivor"] == merge.record["survivor"]
    item_event = next(e for e in events if e.entity_id == s.ids["a_item_same"])
    assert item_event.changes is not None
    assert item_event.changes["site_id"] == {"before": str(s.ids["a_site_same"]),
                                             "after": str(s.ids["s_site"])}  # fmt: skip


@pytest.mark.parametrize(
    ("build", "path", "code"),
    [
        (lambda s: MergeRequest(s.survivor, [s.first, s.survivor]), ("mergedIds", "1"), "INVALID"),
        (lambda s: MergeRequest(s.survivor, [s.first, s.first]), ("mergedIds", "1"), "INVALID"),
        (lambda s: MergeRequest(s.survivor, []), ("mergedIds",), "REQUIRED"),
        (lambda s: MergeRequest(s.survivor, [uuid.uuid4() for _ in range(11)]), ("mergedIds",),
         "LIMIT_EXCEEDED"),
        (lambda s: MergeRequest(uuid.uuid4(), [s.first]), ("survivorId",), "NOT_FOUND"),
        (lambda s: MergeRequest(s.survivor, [s.first, None]), ("mergedIds", "1"), "NOT_FOUND"),
        (lambda s: MergeRequest(s.survivor, [s.first], expected_version=7), ("expectedVersion",),
         "VERSION_CONFLICT"),
        (lambda s: MergeRequest(s.survivor, [s.first], merged_expected_versions=[3]),
         ("mergedExpectedVersions", "0"), "VERSION_CONFLICT"),
        (lambda s: MergeRequest(s.survivor, [s.first], overrides=[
            Override(OverrideField.PHONE, s.outsider)]), ("fieldOverrides", "0", "fromId"),
         "INVALID"),
        (lambda s: MergeRequest(s.survivor, [s.first], overrides=[
            Override(OverrideField.BIRTH_DATE, s.first)]), ("fieldOverrides", "0", "field"),
         "INVALID"),
    ],
)  # fmt: skip
async def test_bad_requests_name_their_argument_and_write_nothing(
    db: AsyncSession, build: object, path: tuple[str, ...], code: str
) -> None:
    s = await scene(db)
    with pytest.raises(DomainError) as error:
        await service.merge(db, s.actor, build(s))  # type: ignore[operator]
    assert (path, code) in [(p.field, p.code.value) for p in error.value.problems]
    assert await db.scalar(select(CustomerMerge.id)) is None


async def test_merged_customers_cannot_be_merged_or_survive_again(db: AsyncSession) -> None:
    s = await scene(db)
    await service.merge(db, s.actor, MergeRequest(s.survivor, [s.first]))
    for request, path in ((MergeRequest(s.survivor, [s.first]), ("mergedIds", "0")),
                          (MergeRequest(s.first, [s.second]), ("survivorId",))):  # fmt: skip
        with pytest.raises(DomainError) as error:
            await service.merge(db, s.actor, request)
        assert [(p.field, p.code.value) for p in error.value.problems] == [(path, "INVALID_STATE")]


async def test_every_unique_key_of_the_moved_tables_holds(db: AsyncSession) -> None:
    """site (customer_id, name): two merged customers' "Filial" become one, the first's.
    contact (customer_id) where primary: one primary left. contact e-mail, contract number
    and item serial are unique across the tenant already, so a move cannot collide on them."""
    s = await scene(db)
    first_filial = await make_site(db, s.tenant, s.first, name="Filial")
    item = await make_item(db, s.tenant, s.first, contract_id=s.ids["a_contract"],
                           site_id=first_filial)  # fmt: skip
    await service.merge(db, s.actor, MergeRequest(s.survivor, [s.first, s.second]))
    names = (await db.execute(text("SELECT name, id FROM site WHERE customer_id = :s ORDER BY name"),
                              {"s": s.survivor})).all()  # fmt: skip
    assert [n for n, _ in names] == ["Depósito", "Filial", "Loja Centro"]
    assert dict(names)["Filial"] == first_filial
    b_item_site = await db.scalar(text("SELECT site_id FROM inventory_item WHERE id = :id"),
                                  {"id": s.ids["b_item"]})  # fmt: skip
    assert b_item_site == first_filial
    assert await db.scalar(text("SELECT site_id FROM inventory_item WHERE id = :id"),
                           {"id": item}) == first_filial  # fmt: skip
    primaries = await db.scalar(text("SELECT count(*) FROM contact WHERE customer_id = :s "
                                     "AND is_primary"), {"s": s.survivor})  # fmt: skip
    assert primaries == 1


async def test_customers_held_by_another_write_are_a_user_error(database: Database) -> None:
    async with database.session() as setup:
        tenant = await make_tenant(setup)
        survivor = await make_customer(setup, tenant)
        merged = await make_customer(setup, tenant)
        await setup.commit()
    async with database.session(tenant) as holder, database.session(tenant) as merging:
        await holder.execute(text("SELECT FROM customer WHERE id = :id FOR UPDATE"),
                             {"id": merged})  # fmt: skip
        await merging.execute(text("SET LOCAL lock_timeout = '50ms'"))
        with pytest.raises(DomainError) as error:
            await service.merge(merging, actor(tenant), MergeRequest(survivor, [merged]))
        assert [(p.field, p.code.value) for p in error.value.problems] == [((), "INVALID_STATE")]


async def test_a_merge_over_the_statement_timeout_is_a_user_error(db: AsyncSession) -> None:
    s = await scene(db)
    # Enough items that moving them takes longer than the timeout.
    await db.execute(text(
        "INSERT INTO inventory_item (tenant_id, customer_id, contract_id, site_id, "
        "product_type_id, serial_number) SELECT tenant_id, customer_id, contract_id, site_id, "
        "product_type_id, serial_number || '-' || g FROM inventory_item, "
        "generate_series(1, 20000) AS g WHERE id = :id"), {"id": s.ids["a_item"]})  # fmt: skip
    await db.execute(text("SET LOCAL statement_timeout = '1ms'"))
    with pytest.raises(DomainError) as error:
        await service.merge(db, s.actor, MergeRequest(s.survivor, [s.first, s.second]))
    assert [(p.field, p.code.value) for p in error.value.problems] == [((), "LIMIT_EXCEEDED")]
