"""One score for a pair of customers: Fellegi-Sunter weights summed over the fields compared.

Each field's agreement level has a weight log2(m / u), where m is how often two records of
the same customer agree at that level and u how often two unrelated records of the same
tenant do. The m and u values below are tuned by hand and documented, not estimated by EM:
they are set from what the normalisers guarantee (tax ids checked by their check digits,
phones in E.164) and from the noise a registry sees (typos, reordered words, changed e-mail
domains, moved addresses), so that they carry over to data the matcher was not tuned on.
A field missing on either side is not compared and weighs 0.

Independence is the model's assumption, and contact points break it: the people of a
household, or the offices of a firm, share a phone, an e-mail domain and an address. So
e-mail/phone and the address count as one piece of evidence, the stronger of the two.

The u of an exact name is value-specific: a name that several customers of the tenant bear
("Padaria Central") agrees by chance that many times more often, so the candidates that
blocking found with the same name key divide its likelihood ratio (`namesakes`).

The total weight W (bits) becomes a score in [0, 1], the match probability under prior
odds of 2^-PRIOR_BITS that a blocked pair is the same customer: 1 / (1 + 2^(PRIOR_BITS - W)).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from clientbase.services.dedupe import fields
from clientbase.services.dedupe.fields import Comparison
from clientbase.services.dedupe.record import MatchRecord

PRIOR_BITS = 8.0
REVIEW, LIKELY = "REVIEW", "LIKELY"
# Default thresholds on the score (tenant settings override them): 0.5 is W = 8 bits, e.g.
# the same name and nothing else known (10 bits); 0.95 is W = 12.2 bits, e.g. the same name
# and the same phone (19 bits).
DEFAULT_REVIEW, DEFAULT_LIKELY = 0.5, 0.95

# (group, level) -> (m, u). Groups are what a pair is compared on; see fields.py for levels.
M_U: dict[tuple[str, str], tuple[float, float]] = {
    # Company names (and a person against a company): folded keys equal, a typo or reorder
    # away, related, or different. Unrelated names are rarely equal in one tenant.
    ("name", "exact"): (0.55, 0.0005),
    ("name", "high"): (0.30, 0.003),
    ("name", "medium"): (0.10, 0.02),
    ("name", "differ"): (0.05, 0.975),
    # Persons: given names repeat more than surnames; a lone initial is weak either way.
    ("givenName", "exact"): (0.88, 0.03),
    ("givenName", "high"): (0.07, 0.02),
    ("givenName", "initial"): (0.02, 0.04),
    ("givenName", "differ"): (0.03, 0.91),
    ("surname", "exact"): (0.88, 0.01),
    ("surname", "high"): (0.07, 0.01),
    ("surname", "differ"): (0.05, 0.98),
    # Checked tax ids: two different valid ids are two legal entities (a branch office too),
    # so a disagreement outweighs the same name and phone: a check digit catches the typos.
    ("taxId", "exact"): (0.95, 0.00001),
    ("taxId", "differ"): (0.0002, 0.99999),
    ("birthDate", "exact"): (0.92, 0.0003),
    ("birthDate", "transposed"): (0.04, 0.0006),
    ("birthDate", "differ"): (0.04, 0.999),
    # E-mails and phones: people have several, so a disagreement weighs little.
    ("contact", "email"): (0.55, 0.0002),
    ("contact", "phone"): (0.60, 0.001),
    ("contact", "phone_tail"): (0.08, 0.003),
    ("contact", "email_local"): (0.10, 0.003),
    ("contact", "differ"): (0.35, 0.995),
    # Addresses: customers move, so a disagreement weighs little too.
    ("address", "full"): (0.55, 0.0008),
    ("address", "street_number"): (0.40, 0.002),
    ("address", "postal_number"): (0.45, 0.002),
    ("address", "postal"): (0.60, 0.02),
    ("address", "city"): (0.85, 0.08),
    ("address", "differ"): (0.25, 0.97),
    ("kind", "differ"): (0.02, 0.30),
}
WEIGHTS = {key: math.log2(m / u) for key, (m, u) in M_U.items()}


@dataclass(frozen=True)
class Reason:
    field: str
    method: str
    score: float
    weight: float  # bits of evidence: positive for, negative against


@dataclass(frozen=True)
class Match:
    score: float
    weight: float
    reasons: tuple[Reason, ...]

    def band(self, review: float = DEFAULT_REVIEW, likely: float = DEFAULT_LIKELY) -> str | None:
        """LIKELY, REVIEW, or None below the review threshold."""
        if self.score >= likely:
            return LIKELY
        return REVIEW if self.score >= review else None


# The weights as reasons show them (rounded), for levels other than an exact name's.
_ROUNDED = {key: round(weight, 2) for key, weight in WEIGHTS.items()}

Weighed = tuple[Comparison, float]  # a comparison and its weight in bits, as shown


def _weighed(group: str, comparison: Comparison, common: float = 0.0) -> Weighed:
    if comparison.level == "exact" and common:
        return comparison, round(WEIGHTS[(group, comparison.level)] - common, 2)
    return comparison, _ROUNDED[(group, comparison.level)]


def namesakes(record: MatchRecord, others: Iterable[MatchRecord]) -> int:
    """How many of `others` (a probe's blocked candidates) bear its name exactly: at least 1."""
    same = [o for o in others if o.id != record.id and record.name in (o.name, o.trade_name)]
    return max(1, len(same))


def _evidence(a: MatchRecord, b: MatchRecord, sharing: int) -> tuple[list[Weighed], float]:
    """The comparisons that count, each with its weight, and their sum (see `compare`)."""
    weighed: list[Weighed] = []
    common = math.log2(max(sharing, 1))
    persons = fields.person_names(a, b) if a.is_person and b.is_person else None
    if persons is not None:
        weighed += [_weighed(c.field, c, common if c.field == "surname" else 0.0)
                    for c in persons]  # fmt: skip
    else:
        name = fields.company_name(a, b)
        if name is not None:
            weighed.append(_weighed("name", name, common))
    for group, compared in (("taxId", fields.tax_id(a, b)), ("birthDate", fields.birth_date(a, b)),
                            ("kind", fields.kind(a, b))):  # fmt: skip
        if compared is not None:
            weighed.append(_weighed(group, compared))
    located = [_weighed(group, c) for group, c in (("contact", fields.contact_points(a, b)),
                                                   ("address", fields.address(a, b)))
               if c is not None]  # fmt: skip
    if located:
        weighed.append(max(located, key=lambda w: w[1]))
    return weighed, sum(w for _, w in weighed)


def _score(weight: float) -> float:
    return round(1 / (1 + 2 ** (PRIOR_BITS - weight)), 4)


def _match(weighed: list[Weighed], weight: float) -> Match:
    reasons = [Reason(c.field, c.method, c.score, w) for c, w in weighed]
    ordered = sorted(reasons, key=lambda r: -r.weight)
    return Match(_score(weight), round(weight, 2), tuple(ordered))


def compare(a: MatchRecord, b: MatchRecord, sharing: int = 1) -> Match:
    """The score of the pair and its reasons, strongest evidence first. `sharing` is how
    many customers bear `a`'s exact name (see `namesakes`): a name many share agrees by
    chance more often, so its u grows with that count (a value-specific u) and an exact
    agreement weighs log2(sharing) bits less."""
    return _match(*_evidence(a, b, sharing))


def compare_above(a: MatchRecord, b: MatchRecord, sharing: int, review: float) -> Match | None:
    """`compare`'s match when its score reaches `review`, else None: a scan compares
    millions of pairs and keeps few, and builds the reasons of those only."""
    weighed, weight = _evidence(a, b, sharing)
    return _match(weighed, weight) if _score(weight) >= review else None
