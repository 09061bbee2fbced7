"""The declared accountability policy: load, validate (errors name the line), hash."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from dutyflow.core.errors import DutyflowError
from dutyflow.core.vocabulary import (
    DEFAULT_REPLY_DAYS,
    FREQUENCIES,
    MEASURE_KINDS,
    ORG_TYPE_NAMES,
    RATING_NAMES,
    RATINGS,
    DecidedBy,
    MeetingType,
    extend_meeting_types,
    measure_kind,
)
from dutyflow.rules.ranking import Ranking
from dutyflow.rules.requirements import render, text_problems
from dutyflow.rules.scoring import Scoring

DEFAULT_POLICY = Path(__file__).with_name("default_policy.yaml")


def _known_action(key: str) -> str:
    measure_kind(key)  # raises naming the known kinds
    return key


def _known_frequency(key: str) -> str:
    if key not in FREQUENCIES:
        raise ValueError(f"unknown frequency {key!r}; use one of {', '.join(FREQUENCIES)}")
    return key


ActionName = Annotated[str, AfterValidator(_known_action)]
FrequencyName = Annotated[str, AfterValidator(_known_frequency)]


class PolicyError(DutyflowError):
    exit_code = 2


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


TEXT_ERROR = "policy_text"  # a rule's wording that disagrees with its numbers


def _check_wording(text: str, numbers: dict[str, Any], field: str = "text") -> None:
    """Refuse a requirement whose placeholders or stated numbers are not the rule's own; the
    loader names the line of `field`."""
    problems = text_problems(text, numbers)
    if problems:
        raise PydanticCustomError(TEXT_ERROR, "；".join(problems), {"field": field})


class Escalation(_Strict):
    """How ladders climb: on measures actually taken (default) or on findings alone."""

    counts: Literal["measures", "findings"] = "measures"
    scope: dict[Literal["meeting", "fulfillment"], Literal["family", "duty"]] = Field(
        default_factory=lambda: {"meeting": "family", "fulfillment": "family"})  # type: ignore[arg-type]
    # Time for a measure to work: a measure issued fewer than this many working days before
    # the end of the period judged does not climb the ladder yet; the period's new failure is
    # added to that measure's open case instead (0: off, the practice's plain rule)
    settle_working_days: int = Field(default=0, ge=0, le=60)
    # the practice the ladder states, and where it comes from: `explain` quotes both
    text: str = "连续两个月未履行同一类职责的约谈，连续三个月的提请通报批评"
    basis: str = "本市做法"

    def scope_of(self, family: str) -> str:
        return self.scope.get(family, "family")  # type: ignore[call-overload]


class MeetingDuty(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    meeting_type: str
    org_types: list[str] = Field(min_length=1)
    frequency: FrequencyName
    minimum: int = Field(ge=1)
    per_group: bool = False
    # counts only when attendees are at least this share of the members with a vote
    quorum: float | None = Field(default=None, gt=0, le=1)
    only_with_committee: bool = False
    # a yearly duty judged this many months into the next year (meetings until then count)
    grace_months: int = Field(default=0, ge=0, le=11)
    text: str = Field(min_length=1)
    basis: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known_org_types(self) -> MeetingDuty:
        unknown = [t for t in self.org_types if t not in ORG_TYPE_NAMES]
        if unknown:
            raise ValueError(f"unknown org_types {unknown}; use {', '.join(ORG_TYPE_NAMES)}")
        if self.grace_months and self.frequency != "year":
            raise ValueError("grace_months applies to yearly duties only")
        _check_wording(self.text, self.numbers())
        return self

    def numbers(self) -> dict[str, Any]:
        """What the duty's text may name: {minimum}, {quorum:share}, {grace_months}."""
        found: dict[str, Any] = {"minimum": self.minimum}
        if self.quorum is not None:
            found["quorum"] = self.quorum
        if self.grace_months:
            found["grace_months"] = self.grace_months
        return found

    @property
    def requirement(self) -> str:
        return render(self.text, self.numbers())


class DeclaredMeetingType(_Strict):
    """A meeting type the policy adds to the built-in ones, with the names reports use."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)

    def as_vocabulary(self) -> MeetingType:
        return MeetingType(self.key, self.name, tuple(self.aliases))


class Meetings(_Strict):
    ladder: list[ActionName] = Field(min_length=1)
    committee_from_full_members: int = Field(default=7, ge=1)
    duties: list[MeetingDuty] = Field(min_length=1)


class OverdueStep(_Strict):
    more_than_days: int = Field(ge=0)
    action: ActionName


class PaperRule(_Strict):
    action: ActionName
    text: str = Field(min_length=1)
    basis: str = Field(min_length=1)

    @model_validator(mode="after")
    def _wording(self) -> PaperRule:
        _check_wording(self.text, {})
        return self


class Rectification(_Strict):
    overdue: list[OverdueStep] = Field(min_length=1)
    overdue_text: str = Field(min_length=1)
    basis: str = Field(min_length=1)
    paper: PaperRule

    @model_validator(mode="after")
    def _wording(self) -> Rectification:
        # the days of each step are quoted beside it (逾期超过30天): the requirement is general
        _check_wording(self.overdue_text, {}, "overdue_text")
        return self


class Level(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    score_below: float = Field(gt=0, le=100)
    tasks_done_below: float = Field(gt=0, le=1)
    action: ActionName


class Fulfillment(_Strict):
    levels: list[Level] = Field(min_length=1)
    ladder: list[ActionName] = Field(min_length=1)
    text: str = Field(min_length=1)
    basis: str = Field(min_length=1)

    @model_validator(mode="after")
    def _wording(self) -> Fulfillment:
        _check_wording(self.text, self.numbers())
        return self

    def numbers(self) -> dict[str, Any]:
        """The standard is the first (mildest) level's: below it, a measure follows."""
        first = self.levels[0]
        return {"score_below": first.score_below, "tasks_done_below": first.tasks_done_below}

    @property
    def requirement(self) -> str:
        return render(self.text, self.numbers())


class Chasing(_Strict):
    """When an answer does not come: a 催办 letter giving `working_days` more, and, still
    nothing `escalate_after` working days after the 催办's date, a repeated failure whose
    measure is the first step of `ladder` more severe than the unanswered one."""

    working_days: int = Field(default=5, ge=1, le=30)
    escalate_after: int = Field(default=10, ge=1, le=60)
    ladder: list[ActionName] = Field(
        default_factory=lambda: ["reminder", "talk", "circulated_criticism", "admonishment"],
        min_length=1)
    text: str = "整改情况反馈应在规定期限内报送，经催办后仍未报送的视为整改不力"
    basis: str = "《中国共产党问责条例》第七条；本市整改督办做法"

    @model_validator(mode="after")
    def _after_its_own_date(self) -> Chasing:
        if self.escalate_after < self.working_days:
            raise ValueError(f"escalate_after ({self.escalate_after}) comes before the date the "
                             f"催办 itself gives (working_days: {self.working_days})")
        _check_wording(self.text, self.numbers())
        return self

    def numbers(self) -> dict[str, Any]:
        return {"working_days": self.working_days, "escalate_after": self.escalate_after}

    @property
    def requirement(self) -> str:
        return render(self.text, self.numbers())

    def next_step(self, action: str) -> int:
        """The ladder index an unanswered `action` climbs to (the top stays the top)."""
        rank = MEASURE_KINDS[action].rank
        for index, step in enumerate(self.ladder):
            if MEASURE_KINDS[step].rank > rank:
                return index
        return len(self.ladder) - 1


class Replies(_Strict):
    """Working days each measure gives for its written answer (整改情况反馈), counted on the
    working-day calendar from the document's date (a talk's report: from the talk)."""

    working_days: dict[ActionName, Annotated[int, Field(ge=1, le=60)]] = Field(
        default_factory=dict)
    chase: Chasing = Field(default_factory=Chasing)

    def days(self, action: str) -> int:
        return self.working_days.get(action, DEFAULT_REPLY_DAYS)


def _known_rating(key: str) -> str:
    if key not in RATING_NAMES:
        raise ValueError(f"unknown rating {key!r}; use one of {', '.join(RATING_NAMES)}")
    return key


class DutyReport(_Strict):
    ratings: dict[Annotated[str, AfterValidator(_known_rating)], ActionName] = Field(
        default_factory=dict)
    text: str = Field(min_length=1)
    basis: str = Field(min_length=1)

    def numbers(self) -> dict[str, Any]:
        """{rating}: the rating a secretary must reach, the one above the best that earns a
        measure (一般 and 差 earn one: 较好)."""
        ranks = [r.rank for r in RATINGS if r.key in self.ratings]
        above = [r.name for r in RATINGS if ranks and r.rank == min(ranks) - 1]
        return {"rating": above[0]} if above else {}

    @model_validator(mode="after")
    def _wording(self) -> DutyReport:
        _check_wording(self.text, self.numbers())
        required = self.numbers().get("rating")
        stated = re.findall(r"“(好|较好|一般|差)”以上", self.text)
        if required and stated and stated[0] != required:
            raise PydanticCustomError(
                TEXT_ERROR, "文字写的是“{stated}”以上，而按 ratings 须达到“{required}”以上；"
                "请改正，或写成 “{rating}”以上", {"field": "text", "stated": stated[0],
                                               "required": required})
        return self

    @property
    def requirement(self) -> str:
        return render(self.text, self.numbers())


class Portal(_Strict):
    """The branches' portal: an issued document not signed for (签收) within this many working
    days of its date is shown to the office as overdue (逾期未签收)."""

    sign_for_working_days: int = Field(default=3, ge=1, le=30)


class Policy(_Strict):
    name: str
    meeting_types: list[DeclaredMeetingType] = Field(default_factory=list)
    escalation: Escalation = Field(default_factory=Escalation)
    committee_decides: list[ActionName] = Field(default_factory=lambda: [
        k.key for k in MEASURE_KINDS.values() if k.decided_by is DecidedBy.COMMITTEE])
    meetings: Meetings
    rectification: Rectification
    fulfillment: Fulfillment
    duty_report: DutyReport | None = None
    replies: Replies = Field(default_factory=Replies)
    scores: Scoring = Field(default_factory=Scoring)
    ranking: Ranking = Field(default_factory=Ranking)
    portal: Portal = Field(default_factory=Portal)
    # Set by the loader, not the file: the content hash every run and case records.
    version: str = ""

    @staticmethod
    def rank(action: str) -> int:
        return MEASURE_KINDS[action].rank

    def reply_days(self, action: str) -> int:
        """Working days the measure's notice gives for the written answer."""
        return self.replies.days(action)

    def is_proposal(self, action: str) -> bool:
        """True when the measure needs a committee decision (the office proposes it)."""
        return action in self.committee_decides

    @property
    def all_meeting_types(self) -> tuple[MeetingType, ...]:
        """The built-in meeting types and the ones this policy declares."""
        return extend_meeting_types(t.as_vocabulary() for t in self.meeting_types)

    @model_validator(mode="after")
    def _meeting_types_known(self) -> Policy:
        known = {t.key for t in self.all_meeting_types}  # refuses a spelling used twice
        for duty in self.meetings.duties:
            if duty.meeting_type not in known:
                raise ValueError(f"duty {duty.id!r}: unknown meeting_type {duty.meeting_type!r}; "
                                 f"use one of {', '.join(sorted(known))} or declare it under "
                                 "meeting_types")
        return self

    @model_validator(mode="after")
    def _ladders_climb(self) -> Policy:
        _climbing("meetings.ladder", list(enumerate(self.meetings.ladder)))
        _climbing("fulfillment.ladder", list(enumerate(self.fulfillment.ladder)))
        _climbing("replies.chase.ladder", list(enumerate(self.replies.chase.ladder)))
        _climbing("rectification.overdue",
                  [(s.more_than_days, s.action) for s in self.rectification.overdue])
        levels = self.fulfillment.levels
        for milder, harsher in zip(levels, levels[1:], strict=False):
            if not (harsher.score_below <= milder.score_below
                    and harsher.tasks_done_below <= milder.tasks_done_below
                    and self.rank(harsher.action) >= self.rank(milder.action)):
                raise ValueError(f"fulfillment level {harsher.id!r} must be stricter and no milder "
                                 f"than {milder.id!r} before it")
        ids = [d.id for d in self.meetings.duties]
        if len(ids) != len(set(ids)):
            raise ValueError("meeting duty ids must be unique")
        return self


def _climbing(where: str, steps: list[tuple[float, str]]) -> None:
    for (at, action), (next_at, next_action) in zip(steps, steps[1:], strict=False):
        if next_at <= at:
            raise ValueError(f"{where}: thresholds must increase ({at} then {next_at})")
        if Policy.rank(next_action) < Policy.rank(action):
            raise ValueError(f"{where}: an impossible ladder; {next_action} after {action} "
                             "would be milder for a worse failure")


def _node_line(node: yaml.Node, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at `loc`, or of its nearest existing parent."""
    line = node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == key), None)
            if match is None:
                break
            node, line = match[1], match[0].start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_policy(path: Path | None = None) -> Policy:
    """Read and validate a policy file; any problem raises PolicyError naming file and line."""
    path = Path(path or DEFAULT_POLICY)
    try:
        text = path.read_text(encoding="utf-8")
        # libyaml's parser where PyYAML has it (a tenth of the pure-Python one's time); the
        # node tree that finds an error's line is composed only for an error
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise PolicyError(f"policy {path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark else ""
        raise PolicyError(f"policy {path}{at}: not valid YAML ({getattr(exc, 'problem', exc)})"
                          ) from exc
    if not isinstance(data, dict):
        raise PolicyError(f"policy {path}: must be a mapping of settings")
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        tree = yaml.compose(text)
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        if error["type"] == TEXT_ERROR:  # the wording's own line, in the office's language
            loc += (error["ctx"]["field"],)
            raise PolicyError(f"规则文件 {path.name} 第{_node_line(tree, loc)}行（"
                              f"{'.'.join(str(p) for p in loc)}）：{error['msg']}") from exc
        line = _node_line(tree, loc)
        field = ".".join(str(p) for p in loc) or "policy"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field {loc[-1]!r}"
        raise PolicyError(f"policy {path.name} line {line}, {field}: {message}") from exc
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return policy.model_copy(update={"version": version})
