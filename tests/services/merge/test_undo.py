"""customersMergeUndo in the service: the state before the merge comes back row for row, and
anything written since the merge blocks it, by name."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models import Customer
from clientbase.services.errors import DomainError
from clientbase.services.merge import service
from clientbase.services.merge import undo as merge_undo
from clientbase.services.merge.plan import MergeRequest, Override, OverrideField
from tests.services.merge.helpers import dump, scene


async def test_undo_restores_every_row_as_it_was(db: AsyncSession) -> None:
    s = await scene(db)
    before = await dump(db)
    exact = await dump(db, volatile=True)
    overrides = [Override(OverrideField.LEGAL_NAME, s.first),
                 Override(OverrideField.ADDRESS, s.second)]  # fmt: skip
    merge = await service.merge(db, s.actor, MergeRequest(s.survivor, [s.first, s.second],
                                                          overrides=overrides))  # fmt: skip
    # The open pair of B with an outsider was dropped by the merge; the next scan finds it.
    expected = {**before, "duplicate_candidate": [
        row for row in before["duplicate_candidate"] if row["id"] != str(s.ids["pair_bo"])]}  # fmt: skip
    assert await dump(db) != expected
    survivor = await merge_undo.undo(db, s.actor, merge.id)
    assert survivor.id == s.survivor and survivor.legal_name == "Padaria Central Ltda"
    assert await dump(db) == expected
    # The folded site is back exactly, version and timestamps included.
    after = await dump(db, volatile=True)
    site = [r for r in after["site"] if r["id"] == str(s.ids["a_site_same"])]
    assert site == [r for r in exact["site"] if r["id"] == str(s.ids["a_site_same"])]
    # Every moved row was written twice: by the merge and by the undo.
    versions = {r["id"]: r["version"] for r in after["inventory_item"]}
    assert versions[str(s.ids["a_item"])] == 3 and versions[str(s.ids["s_item"])] == 1


async def test_undo_twice_is_refused(db: AsyncSession) -> None:
    s = await scene(db)
    merge = await service.merge(db, s.actor, MergeRequest(s.survivor, [s.first]))
    await merge_undo.undo(db, s.actor, merge.id)
    with pytest.raises(DomainError) as error:
        await merge_undo.undo(db, s.actor, merge.id)
    assert [(p.field, p.code.value) for p in error.value.problems] == [
        (("mergeId",), "INVALID_STATE")
    ]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ("UPDATE contact SET job_title = 'Boss', version = version + 1 WHERE id = :a_contact",
         "Contact {a_contact}"),
        ("UPDATE inventory_item SET notes = 'moved', version = version + 1 WHERE id = :a_item",
         "InventoryItem {a_item}"),
        ("UPDATE customer SET website = 'x.com', version = version + 1 WHERE id = :survivor",
         "the survivor Customer"),
        ("DELETE FROM contact WHERE id = :b_contact", "Contact {b_contact}"),
        # A survivor's own item moved to a site the merge brought: the site cannot go back.
        ("UPDATE inventory_item SET site_id = :a_site WHERE id = :s_item",
         "InventoryItem {s_item} now uses"),
    ],
)  # fmt: skip
async def test_anything_written_since_blocks_the_undo_by_name(
    db: AsyncSession, change: str, named: str
) -> None:
    s = await scene(db)
    merge = await service.merge(db, s.actor, MergeRequest(s.survivor, [s.first, s.second]))
    parameters = {**s.ids, "survivor": s.survivor}
    await db.execute(text(change), {k: v for k, v in parameters.items() if f":{k}" in change})
    with pytest.raises(DomainError) as error:
        await merge_undo.undo(db, s.actor, merge.id)
    [found] = error.value.problems
    assert (found.field, found.code.value) == (("mergeId",), "MERGE_CHANGED_SINCE")
    assert named.format(**{k: str(v) for k, v in s.ids.items()}) in found.message
    merged = await db.get(Customer, s.first, populate_existing=True)
    assert merged is not None and merged.status == "MERGED"


async def test_undo_reopens_the_pairs_the_merge_closed(db: AsyncSession) -> None:
    s = await scene(db)
    merge = await service.merge(db, s.actor, MergeRequest(s.survivor, [s.first]))
    await merge_undo.undo(db, s.actor, merge.id)
    status = await db.scalar(text("SELECT status FROM duplicate_candidate WHERE id = :id"),
                             {"id": s.ids["pair_sa"]})  # fmt: skip
    assert status == "OPEN"
