"""The quarter's ranking (季通报, 红黑榜), declared in the policy: each organization's quarter
score is the mean of its judged months; units and branches are ranked apart; the best `top`
of each group make the top list (红榜) and the last `bottom` the bottom list, which is
provisional (黄榜) for `correction_days` after the communiqué, then confirmed (黑榜) unless
the organization corrected in time. Pure: scores in, standings out.

Ties are broken in one stated order, so a re-run always gives the same ranks: the higher
quarter score; then the fewer findings in the quarter; then the better score in the quarter's
last judged month (the more recent work counts); then the organization's code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dutyflow.core.vocabulary import RANKING_GROUPS, Listing

TIE_ORDER = "得分相同的，依次按季度问题数少、季度最后一个月得分高、党组织代码排序"


class Ranking(BaseModel):
    """The policy's `ranking:` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top: int = Field(default=5, ge=0, le=100)  # 红榜: the best N of each group
    bottom: int = Field(default=5, ge=0, le=100)  # the last N of each group
    # the bottom list is printed in the communiqué (红黑榜); false: the office keeps it and the
    # communiqué only says the units concerned were told
    publish_bottom: bool = True
    # calendar days after the communiqué's date to correct a bottom-list entry (黄榜);
    # 0: the bottom list is confirmed (黑榜) at once
    correction_days: int = Field(default=30, ge=0, le=366)
    groups: tuple[str, ...] = ("unit", "branch")

    @model_validator(mode="after")
    def _known_groups(self) -> Ranking:
        for group in self.groups:
            if group not in RANKING_GROUPS:
                raise ValueError(f"ranking.groups: unknown group {group!r}; use "
                                 f"{', '.join(RANKING_GROUPS)}")
        return self


@dataclass(frozen=True)
class Entry:
    """One organization's quarter, before it is ranked."""

    org_code: str
    group: str  # a RANKING_GROUPS key
    months: tuple[float | None, ...]  # each month's score; None: the month was not judged
    findings: int = 0

    @property
    def score(self) -> float:
        judged = [m for m in self.months if m is not None]
        return round(sum(judged) / len(judged), 2) if judged else 0.0

    @property
    def last_month(self) -> float:
        return next((m for m in reversed(self.months) if m is not None), 0.0)


@dataclass(frozen=True)
class Standing:
    entry: Entry
    rank: int  # 1 is the best, within its group
    previous: int | None  # its rank the quarter before (None: not ranked then)
    listing: Listing | None  # TOP, PROVISIONAL (or CONFIRMED at once), or None

    @property
    def org_code(self) -> str:
        return self.entry.org_code

    @property
    def movement(self) -> int | None:
        """Places gained since the previous quarter (negative: lost)."""
        return None if self.previous is None else self.previous - self.rank


def merit(entry: Entry) -> tuple[float, int, float]:
    """What a place is earned by; the code after it only orders equals."""
    return (-entry.score, entry.findings, -entry.last_month)


def tie_key(entry: Entry) -> tuple[float, int, float, str]:
    return (*merit(entry), entry.org_code)


def _first(ordered: list[Entry], n: int) -> list[Entry]:
    """The first n, and any after them equal in merit to the n-th: an organization is never
    left off a list for its code alone."""
    if n <= 0 or not ordered:
        return []
    cut = ordered[:n]
    return cut + [e for e in ordered[n:] if merit(e) == merit(cut[-1])]


def rank_quarter(rules: Ranking, entries: Sequence[Entry], *, base: float,
                 previous: Mapping[str, int] | None = None) -> list[Standing]:
    """Rank each group apart. A list takes its N and those equal in merit to its N-th. The
    bottom list takes only organizations that lost points (a perfect score is never on it)
    and none already on the top list."""
    previous = previous or {}
    standings: list[Standing] = []
    bottom_listing = Listing.PROVISIONAL if rules.correction_days else Listing.CONFIRMED
    for group in rules.groups:
        ordered = sorted((e for e in entries if e.group == group), key=tie_key)
        top = {e.org_code for e in _first(ordered, rules.top)}
        candidates = [e for e in ordered if e.org_code not in top and e.score < base]
        bottom = {e.org_code for e in _first(candidates[::-1], rules.bottom)}
        for rank, entry in enumerate(ordered, start=1):
            listing = (Listing.TOP if entry.org_code in top else
                       bottom_listing if entry.org_code in bottom else None)
            standings.append(Standing(entry, rank, previous.get(entry.org_code), listing))
    return standings
