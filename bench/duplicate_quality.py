"""Benchmark: how well the duplicate matcher tells the same customer from another one.

    .venv/bin/python bench/duplicate_quality.py [--customers 20000] [--share 0.1] [--seed 7]

Pure Python, no database. Generates customers with the seed generator (seven countries,
companies and persons), keeps those whose name, e-mail and phone no other one has, and
labels: for a share of them a noisy copy (a misspelt, dropped or swapped word, accents
dropped, another legal form, an abbreviation, the phone written otherwise or left out,
no tax id, another e-mail domain, a moved address, a transposed birth date); as hard
negatives, a household member of each person copied (same surname, address and phone,
another given name and birth date) and a branch office of each company copied (same name,
its own tax id and address, often the same phone); as ordinary negatives, for each copy
the customers sharing its first word (what blocking by words brings). Pairs are scored by
the matcher as stored records (normalised as a write would, tenant country BR); a pair in
the review band or above counts as a predicted duplicate. Prints pairwise precision,
recall and F1 at both thresholds, and the share of true pairs that share a blocking key
(pair completeness, sorted neighbourhood left out: a lower bound). Appends them to
bench/RESULTS.md. Never run by the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402 - after the path is set
from typeahead_queries import plain_ascii  # noqa: E402

COLUMNS_USED = (
    "kind",
    "legal_name",
    "trade_name",
    "tax_id",
    "tax_id_country",
    "birth_date",
    "email",
    "phone",
    "address_line1",
    "address_number",
    "address_city",
    "address_postal_code",
)
ABBREVIATIONS = {
    "Comércio": "Com.",
    "Indústria": "Ind.",
    "Distribuidora": "Distrib.",
    "Serviços": "Serv.",
    "Companhia": "Cia.",
    "Limitada": "Ltda",
}
LEGAL_FORMS = ("Ltda", "ME", "S.A.", "EIRELI", "Lda", "GmbH", "S.L.", "SARL", "")


def base_customers(count: int, seed: int) -> list[dict[str, Any]]:
    """Generated customers, keeping only those whose name, e-mail and phone are their own."""
    from clientbase.services.seed.generator import SeedGenerator
    from clientbase.services.seed.rows import CUSTOMER_COLUMNS, Reference

    ids: defaultdict[str, uuid.UUID] = defaultdict(uuid.uuid4)
    reference = Reference((uuid.uuid4(),), ids, ids)
    rows = SeedGenerator(reference, seed, 1).batch(count * 2).customers
    seen: set[Any] = set()
    kept = []
    for row in rows:
        values = dict(zip(CUSTOMER_COLUMNS, row, strict=True))
        keys = {("n", values["name_key"]), ("e", values["email"]), ("p", values["phone_digits"])}
        keys = {k for k in keys if k[1]}
        if keys & seen:
            continue
        seen |= keys
        kept.append({c: values[c] for c in COLUMNS_USED})
        if len(kept) == count:
            break
    return kept


def typo(r: random.Random, text: str) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and i > 0]
    if not letters:
        return text
    i = r.choice(letters)
    pick = r.random()
    if pick < 0.4:
        return text[:i] + text[i + 1 :]
    if pick < 0.7 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + r.choice("aeiourstnl") + text[i + 1 :]


def noisy_name(r: random.Random, name: str, company: bool) -> str:
    words = name.split()
    pick = r.random()
    if pick < 0.3:
        return typo(r, name)
    if pick < 0.45 and len(words) > 2:
        del words[r.randrange(1, len(words) - 1)]  # a middle word dropped
    elif pick < 0.55 and len(words) > 1:
        i = r.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif pick < 0.7:
        return plain_ascii(name).upper()
    elif pick < 0.85 and company:
        last = words[-1].rstrip(".")
        if last.upper() in {f.upper().replace(".", "") for f in LEGAL_FORMS if f}:
            words = words[:-1]
        words.append(r.choice(LEGAL_FORMS))
    else:
        words = [ABBREVIATIONS.get(w, w) for w in words]
    return " ".join(w for w in words if w)


def duplicate(r: random.Random, c: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`c` registered again with noise; `other` lends a moved address."""
    d = dict(c)
    d["legal_name"] = noisy_name(r, c["legal_name"], c["kind"] == "COMPANY")
    if r.random() < 0.3:
        d["legal_name"] = noisy_name(r, d["legal_name"], c["kind"] == "COMPANY")
    if d["phone"] and r.random() < 0.5:
        digits = "".join(ch for ch in d["phone"] if ch.isdigit())
        d["phone"] = (
            None if r.random() < 0.3 else " ".join([digits[:-8], digits[-8:-4], digits[-4:]])
        )
    if d["tax_id"] and r.random() < 0.5:
        d["tax_id"] = d["tax_id_country"] = None
    if d["email"] and r.random() < 0.4:
        local = d["email"].split("@")[0]
        d["email"] = (
            None if r.random() < 0.5 else f"{local}@{r.choice(('gmail.com', 'outlook.com'))}"
        )
    if r.random() < 0.25:
        for key in ("address_line1", "address_number", "address_city", "address_postal_code"):
            d[key] = other[key]
    elif d["address_postal_code"] and r.random() < 0.3:
        d["address_postal_code"] = d["address_postal_code"].replace("-", "")
    if d["birth_date"] and r.random() < 0.15:
        b = d["birth_date"]
        d["birth_date"] = b.replace(day=b.month, month=b.day) if b.day <= 12 else b
    return d


def household(r: random.Random, c: dict[str, Any], first_names: list[str]) -> dict[str, Any]:
    d = dict(c)
    words = c["legal_name"].split()
    given = r.choice([n for n in first_names if n != words[0]] or ["Ana"])
    d["legal_name"] = " ".join([given, *words[1:]])
    d["birth_date"] = c["birth_date"] - dt.timedelta(days=r.randint(3000, 12000))
    d["tax_id"] = d["tax_id_country"] = d["email"] = None
    return d


def branch(
    r: random.Random, c: dict[str, Any], other: dict[str, Any], n: int
) -> dict[str, Any] | None:
    from clientbase.services.seed import tax_ids

    make = tax_ids.COMPANY_IDS.get(c["tax_id_country"] or "")
    if make is None or not c["tax_id"]:
        return None  # without its own tax id a branch cannot be told from a copy
    d = dict(c)
    d["tax_id"] = make(n, "A")
    for key in ("address_line1", "address_number", "address_city", "address_postal_code"):
        d[key] = other[key]
    if r.random() < 0.5:
        d["phone"] = None
    d["email"] = None
    return d


def shares_a_key(a: Any, b: Any) -> bool:
    """Whether blocking would bring `b` to `a` (sorted neighbourhood aside)."""
    from clientbase.services.dedupe.blocking import keys

    ka, kb = keys(a), keys(b)
    if (ka.tax_id and ka.tax_id == kb.tax_id) or set(ka.emails) & set(kb.emails):
        return True
    if set(ka.phones) & set(kb.phones) or set(ka.phone_tails) & set(kb.phone_tails):
        return True
    names_a, names_b = {a.name, a.trade_name} - {""}, {b.name, b.trade_name} - {""}
    if names_a & names_b:
        return True
    words_a, words_b = set(a.name.split()), set(b.name.split())
    if words_a <= words_b or (len(words_a) >= 3 and len(words_a - words_b) <= 1):
        return True
    same_initial = a.name[:1] == b.name[:1]
    if same_initial and a.postal_code and a.postal_code == b.postal_code:
        return True
    return same_initial and a.birth_date is not None and a.birth_date == b.birth_date


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--share", type=float, default=0.1, help="share of customers copied")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    from clientbase.services.dedupe.scoring import DEFAULT_LIKELY, DEFAULT_REVIEW, compare
    from clientbase.services.dedupe.service import probe_record

    r = random.Random(args.seed)
    base = base_customers(args.customers, args.seed)
    records = [probe_record(c, (), "BR") for c in base]
    by_word: defaultdict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        by_word[rec.name.split()[0] if rec.name else ""].append(i)
    first_names = [c["legal_name"].split()[0] for c in base if c["kind"] == "PERSON"]
    pairs: list[tuple[Any, Any, bool, str]] = []
    for i in r.sample(range(len(base)), int(len(base) * args.share)):
        c, other = base[i], base[r.randrange(len(base))]
        dup = probe_record(duplicate(r, c, other), (), "BR")
        pairs.append((dup, records[i], True, "copy"))
        if c["kind"] == "PERSON" and c["birth_date"]:
            member = probe_record(household(r, c, first_names), (), "BR")
            pairs.append((member, records[i], False, "household"))
        elif c["kind"] == "COMPANY" and (office := branch(r, c, other, len(base) + i)):
            pairs.append((probe_record(office, (), "BR"), records[i], False, "branch"))
        for j in by_word[dup.name.split()[0] if dup.name else ""][:20]:
            if j != i:
                pairs.append((dup, records[j], False, "same first word"))
    lines = [
        f"{len(base):,} customers, {sum(p[2] for p in pairs):,} true pairs, "
        f"{sum(not p[2] for p in pairs):,} negative pairs "
        f"({', '.join(f'{k} {v:,}' for k, v in _kinds(pairs).items())})"
    ]
    scores = [(compare(a, b).score, truth, kind) for a, b, truth, kind in pairs]
    for label, threshold in (("review", DEFAULT_REVIEW), ("likely", DEFAULT_LIKELY)):
        tp = sum(1 for s, t, _ in scores if s >= threshold and t)
        fp = sum(1 for s, t, _ in scores if s >= threshold and not t)
        fn = sum(1 for s, t, _ in scores if s < threshold and t)
        precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        wrong = defaultdict(int)
        for s, t, kind in scores:
            if s >= threshold and not t:
                wrong[kind] += 1
        lines.append(
            f"at the {label} threshold ({threshold}): precision {precision:.3f}, recall "
            f"{recall:.3f}, F1 {f1:.3f}; false positives by kind: {dict(wrong) or 0}"
        )
    kept = sum(1 for a, b, truth, _ in pairs if truth and shares_a_key(a, b))
    lines.append(
        f"pair completeness (a blocking key shared): {kept / sum(p[2] for p in pairs):.3f}"
    )
    print("\n".join(lines))
    if args.no_record:
        return
    results.record("Duplicate matcher quality, labelled synthetic pairs",
                   "goal precision >= 0.98, recall >= 0.95", lines)  # fmt: skip


def _kinds(pairs: list[tuple[Any, Any, bool, str]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for _, _, truth, kind in pairs:
        if not truth:
            counts[kind] += 1
    return dict(counts)


if __name__ == "__main__":
    main()
