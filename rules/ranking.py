"""The quarter's ranking (季通报, 红黑榜), declared in the policy: each organization's quarter
score is the mean of its judged months; units and branches are ranked apart; the best `top`
of each group make the top list (红榜) and the last `bottom` the bottom list, which is
provisional (黄榜) for `correction_days` working days after the communiqué, then confirmed
(黑榜) unless the organization corrected in time. Pure: scores in, standings out.

Equal scores share a place (competition ranking: 1, 1, 3): nothing but the score earns a
place. Within a place organizations are kept in code order so a re-run prints the same rows;
that order is internal and never a reason printed anywhere.

A list takes its N and those tied with its N-th. When the ties at the cut-off would swamp it
(more than N + `tie_allowance` in all), none of the tied is listed: the list keeps only those
strictly above the cut-off, and the tied are counted (`Standing.held`) so the communiqué can
say how many shared it ("47个基层党支部得满分，并列第1名").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dutyflow.core.vocabulary import RANKING_GROUPS, Listing
from dutyflow.rules.scoring import mean_score


class Ranking(BaseModel):
    """The policy's `ranking:` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top: int = Field(default=5, ge=0, le=100)  # 红榜: the best N of each group
    bottom: int = Field(default=5, ge=0, le=100)  # the last N of each group
    # how many tied organizations a list may take beyond its N; past that the ties at the
    # cut-off are counted, not listed
    tie_allowance: int = Field(default=2, ge=0, le=100)
    # the bottom list is printed in the communiqué (红黑榜); false: the office keeps it and the
    # communiqué only says the units concerned were told
    publish_bottom: bool = True
    # working days after the communiqué's date to correct a bottom-list entry (黄榜);
    # 0: the bottom list is confirmed (黑榜) at once
    correction_days: int = Field(default=20, ge=0, le=250)
    groups: tuple[str, ...] = ("unit", "branch")
    # the quarter's circular (季度通报) names this many organizations that complied fully in
    # each group, then counts the rest (……等N个党支部)
    praise_limit: int = Field(default=5, ge=0, le=100)
    # and names this many organizations under each failure it lists, then counts the rest
    failures_named: int = Field(default=5, ge=0, le=100)

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
        """The mean of the judged months, rounded half up: the figure every list prints."""
        return mean_score(m for m in self.months if m is not None)


@dataclass(frozen=True)
class Standing:
    entry: Entry
    rank: int  # 1 is the best, within its group; equal scores share it
    previous: int | None  # its rank the quarter before (None: not ranked then)
    listing: Listing | None  # TOP, PROVISIONAL (or CONFIRMED at once), or None
    # the list whose cut-off it shared with too many others to be listed (counted instead)
    held: Listing | None = None

    @property
    def org_code(self) -> str:
        return self.entry.org_code

    @property
    def movement(self) -> int | None:
        """Places gained since the previous quarter (negative: lost)."""
        return None if self.previous is None else self.previous - self.rank


def order_key(entry: Entry) -> tuple[float, str]:
    """The score decides; the code only keeps equals in a stable, internal order."""
    return (-entry.score, entry.org_code)


def _cut(ordered: list[Entry], n: int, allowance: int) -> tuple[list[Entry], list[Entry]]:
    """(listed, held): the first n and those tied with the n-th; when that is more than
    n + allowance, those strictly before the n-th's score, the tied held back."""
    if n <= 0 or not ordered:
        return [], []
    cutoff = ordered[min(n, len(ordered)) - 1].score
    listed = ordered[:n] + [e for e in ordered[n:] if e.score == cutoff]
    if len(listed) <= n + allowance:
        return listed, []
    return ([e for e in listed if e.score != cutoff], [e for e in listed if e.score == cutoff])


def competition_ranks(ordered: Sequence[Entry]) -> list[int]:
    """1, 1, 3: each place is one more than the number scoring strictly better."""
    ranks: list[int] = []
    for i, entry in enumerate(ordered):
        ranks.append(ranks[-1] if i and entry.score == ordered[i - 1].score else i + 1)
    return ranks


def rank_quarter(rules: Ranking, entries: Sequence[Entry], *, base: float,
                 previous: Mapping[str, int] | None = None) -> list[Standing]:
    """Rank each group apart and mark its lists. The bottom list takes only organizations that
    lost points (a perfect score is never on it) and none the top list took or held back."""
    previous = previous or {}
    standings: list[Standing] = []
    bottom_listing = Listing.PROVISIONAL if rules.correction_days else Listing.CONFIRMED
    for group in rules.groups:
        ordered = sorted((e for e in entries if e.group == group), key=order_key)
        top, top_held = _cut(ordered, rules.top, rules.tie_allowance)
        taken = {e.org_code for e in [*top, *top_held]}
        candidates = [e for e in ordered if e.org_code not in taken and e.score < base]
        worst_first = sorted(candidates, key=lambda e: (e.score, e.org_code))
        bottom, bottom_held = _cut(worst_first, rules.bottom, rules.tie_allowance)
        listed = {e.org_code: Listing.TOP for e in top} | {e.org_code: bottom_listing
                                                             for e in bottom}
        held = {e.org_code: Listing.TOP for e in top_held} | {e.org_code: bottom_listing
                                                               for e in bottom_held}
        for rank, entry in zip(competition_ranks(ordered), ordered, strict=True):
            standings.append(Standing(entry, rank, previous.get(entry.org_code),
                                      listed.get(entry.org_code), held.get(entry.org_code)))
    return standings
