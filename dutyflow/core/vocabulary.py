"""The words of the domain, each defined once and read everywhere.

Measures, meeting types, frequencies, organization types and statuses live here and only
here: the policy validator, the report readers, the wording of notices, the templates'
context, the run digest and the models all read these registries. Adding an action kind is
one entry below, a document kind of the same key, and its template
(`templates/notices/<key>.j2`; a start-up check names any document kind without one). A
meeting type may also be declared by a policy, with its Chinese names, and needs no Python at
all (`extend_meeting_types`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# ---------------------------------------------------------------------------- frequencies


@dataclass(frozen=True)
class Frequency:
    """How often a duty falls due; a period of this kind closes it (see Period.closes)."""

    key: str  # month / quarter / year: also the Period kind that closes the duty
    unit: str  # how a streak counts it: 连续2个月, 连续2个季度, 连续2年
    order: int  # month < quarter < year


FREQUENCIES: dict[str, Frequency] = {f.key: f for f in (
    Frequency("month", "个月", 0),
    Frequency("quarter", "个季度", 1),
    Frequency("year", "年", 2),
)}


# ---------------------------------------------------------------------- organization types

ORG_TYPES: dict[str, str] = {  # accepted spelling -> the canonical Chinese name
    "党委": "党委", "党总支": "党总支", "党支部": "党支部",
    "committee": "党委", "general_branch": "党总支", "branch": "党支部",
}
ORG_TYPE_NAMES: tuple[str, ...] = ("党委", "党总支", "党支部")
# How a notice refers to an organization of each type: 你支部, 该总支, 你委
ORG_TYPE_SHORT: dict[str, str] = {"党委": "委", "党总支": "总支", "党支部": "支部"}


# --------------------------------------------------------------------------- meeting types


@dataclass(frozen=True)
class MeetingType:
    """A kind of meeting in the organizational-life ledger (组织生活台账)."""

    key: str
    name: str  # as notices write it
    aliases: tuple[str, ...] = ()  # other spellings accepted in reports
    verb: str = "召开"  # 召开 a meeting, 开展 a theme day, 讲授 a lecture

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.key, self.name, *self.aliases)


MEETING_TYPES: tuple[MeetingType, ...] = (
    MeetingType("general_meeting", "支部党员大会", ("党员大会",)),
    MeetingType("committee_meeting", "支部委员会会议", ("支委会", "支部委员会")),
    MeetingType("group_meeting", "党小组会", ("党小组会议",)),
    MeetingType("party_lecture", "党课", (), "讲授"),
    MeetingType("theme_day", "主题党日", ("主题党日活动",), "开展"),
    MeetingType("life_meeting", "组织生活会", ()),
    MeetingType("member_review", "民主评议党员", ("民主评议", "民主评议党员会议"), "开展"),
)
# One ledger cell may name several types held in one session (主题党日、党课).
MEETING_TYPE_SEPARATORS = "、,，;；/／+＋"


def extend_meeting_types(extra: Iterable[MeetingType]) -> tuple[MeetingType, ...]:
    """The built-in meeting types plus those a policy declares; a key or spelling used twice
    is refused, so a report cell can never mean two types."""
    merged = list(MEETING_TYPES)
    owner = {s: t.key for t in merged for s in t.spellings}
    for meeting_type in extra:
        if meeting_type.key in {t.key for t in merged}:
            raise ValueError(f"meeting type {meeting_type.key!r} is defined twice")
        for spelling in set(meeting_type.spellings):
            if spelling in owner:
                raise ValueError(f"meeting type {meeting_type.key!r}: {spelling!r} already "
                                 f"names {owner[spelling]!r}")
            owner[spelling] = meeting_type.key
        merged.append(meeting_type)
    return tuple(merged)


def meeting_type_choices(types: Iterable[MeetingType] = MEETING_TYPES) -> dict[str, str]:
    """Every accepted spelling -> the meeting type's key."""
    return {spelling: t.key for t in types for spelling in t.spellings}


def meeting_type_names(types: Iterable[MeetingType] = MEETING_TYPES) -> dict[str, str]:
    return {t.key: t.name for t in types}


# --------------------------------------------------------------- rectification statuses


@dataclass(frozen=True)
class ItemStatus:
    """A rectification item's status (整改状态)."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    open: bool = False  # not yet done: can be overdue
    done: bool = False  # claimed done: needs a completion date


ITEM_STATUSES: tuple[ItemStatus, ...] = (
    ItemStatus("open", "未整改", open=True),
    ItemStatus("in_progress", "整改中", ("in progress",), open=True),
    ItemStatus("done", "已整改", done=True),
    ItemStatus("closed", "已销号", done=True),
)
ITEM_STATUS_CHOICES: dict[str, str] = {s: st.key for st in ITEM_STATUSES
                                       for s in (st.key, st.name, *st.aliases)}
ITEM_STATUS_NAMES: dict[str, str] = {st.key: st.name for st in ITEM_STATUSES}
OPEN_ITEM_STATUSES: tuple[str, ...] = tuple(st.key for st in ITEM_STATUSES if st.open)
DONE_ITEM_STATUSES: tuple[str, ...] = tuple(st.key for st in ITEM_STATUSES if st.done)


# ------------------------------------------------------------------------- document kinds


class DocumentFormat(StrEnum):
    """GB/T 9704-2012's formats, each numbered in its own series: 文件 (a red-header document,
    `市直工委〔2026〕3号`) or 信函 (a letter, `市直工委函〔2026〕12号`)."""

    DOCUMENT = "document"
    LETTER = "letter"


class Addressee(StrEnum):
    """Who a document goes to or is copied to: read off the organization tree or the settings."""

    ORGANIZATION = "organization"  # the organization the case is about
    PARENT = "parent"  # the organization above it: a branch's 机关党委
    UNIT_PARTY_GROUP = "unit_party_group"  # 所在单位党组: manages the secretary as a cadre
    ALL_UNITS = "all_units"  # 市直各部门（单位）党组（党委）、各机关党委 (settings)
    ORGANIZATION_DEPARTMENT = "organization_department"  # 市委组织部 (settings)
    DISCIPLINE_GROUP = "discipline_group"  # the stationed 纪检监察组 (settings)


class Attachment(StrEnum):
    """What the recipient needs to answer, attached on pages of its own."""

    PROBLEM_LIST = "problem_list"
    FEEDBACK_FORM = "feedback_form"
    RECEIPT = "receipt"

    @property
    def heading(self) -> str:
        """The attachment's title, as the 附件说明 and its page write it."""
        return _ATTACHMENT_TITLES[self]


_ATTACHMENT_TITLES = {Attachment.PROBLEM_LIST: "问题清单",
                      Attachment.FEEDBACK_FORM: "整改情况反馈表", Attachment.RECEIPT: "回执"}


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document the office sends: its format and number series, who receives it,
    who is copied, what is attached and whether it asks for an answer."""

    key: str
    name: str  # 提醒函, 约谈通知书, ...
    format: DocumentFormat | None  # None: a plain form that carries no number (退回补正单)
    to: tuple[Addressee, ...]
    copy_to: tuple[Addressee, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    asks_reply: bool = True
    # the document speaks of all units, not to one organization: no own-branch rule
    to_all: bool = False

    @property
    def template(self) -> str:
        return f"notices/{self.key}.j2"

    @property
    def numbered(self) -> bool:
        return self.format is not None


_A = Addressee
DOCUMENT_KINDS: dict[str, DocumentKind] = {k.key: k for k in (
    # answered by the next period's corrected ledger, not by a 整改情况反馈: nothing to chase
    DocumentKind("return_for_correction", "退回补正单", None, (_A.ORGANIZATION,),
                 asks_reply=False),
    DocumentKind("reminder", "提醒函", DocumentFormat.LETTER, (_A.ORGANIZATION,), (_A.PARENT,),
                 (Attachment.PROBLEM_LIST, Attachment.FEEDBACK_FORM)),
    DocumentKind("supervision", "督办函", DocumentFormat.LETTER, (_A.ORGANIZATION,), (_A.PARENT,),
                 (Attachment.FEEDBACK_FORM,)),
    DocumentKind("talk", "约谈通知书", DocumentFormat.LETTER, (_A.ORGANIZATION,), (_A.PARENT,),
                 (Attachment.PROBLEM_LIST, Attachment.RECEIPT)),
    DocumentKind("self_inspection", "责令检查通知", DocumentFormat.DOCUMENT, (_A.ORGANIZATION,),
                 (_A.PARENT, _A.DISCIPLINE_GROUP), (Attachment.PROBLEM_LIST,
                                                    Attachment.FEEDBACK_FORM)),
    # the case's own document: a letter asking the criticised organization for its report;
    # the criticism itself is the period's 通报 (criticism_circular), one for all of them
    DocumentKind("circulated_criticism", "通报批评整改函", DocumentFormat.LETTER,
                 (_A.ORGANIZATION,), (_A.PARENT,),
                 (Attachment.PROBLEM_LIST, Attachment.FEEDBACK_FORM)),
    DocumentKind("admonishment", "诫勉建议函", DocumentFormat.LETTER, (_A.UNIT_PARTY_GROUP,),
                 (_A.DISCIPLINE_GROUP, _A.ORGANIZATION_DEPARTMENT), (Attachment.PROBLEM_LIST,
                                                                      Attachment.RECEIPT)),
    DocumentKind("criticism_circular", "通报", DocumentFormat.DOCUMENT, (_A.ALL_UNITS,),
                 (_A.ORGANIZATION_DEPARTMENT, _A.DISCIPLINE_GROUP), asks_reply=False, to_all=True),
    DocumentKind("quarter_circular", "季度通报", DocumentFormat.DOCUMENT, (_A.ALL_UNITS,),
                 (_A.ORGANIZATION_DEPARTMENT, _A.DISCIPLINE_GROUP), asks_reply=False, to_all=True),
    # the quarter's ranking by score (季度考评排名, 红黑榜), circulated to all units
    DocumentKind("ranking_circular", "考评排名通报", DocumentFormat.DOCUMENT, (_A.ALL_UNITS,),
                 (_A.ORGANIZATION_DEPARTMENT, _A.DISCIPLINE_GROUP), asks_reply=False, to_all=True),
    # not a measure: a short letter chasing an answer that did not come by its date
    DocumentKind("chase", "催办函", DocumentFormat.LETTER, (_A.ORGANIZATION,), (_A.PARENT,),
                 (Attachment.FEEDBACK_FORM,)),
)}
del _A


# ---------------------------------------------------------------------------- action kinds


class DecidedBy(StrEnum):
    """Who may decide a measure (问责条例 第八条, 第十二条)."""

    OFFICE = "office"  # one listed reviewer of the office (工委) approves
    COMMITTEE = "committee"  # a proposal: a collective decision (工委会议) must be cited


@dataclass(frozen=True)
class MeasureKind:
    """A measure an office can take against an organization or its secretary."""

    key: str
    name: str  # 提醒, 约谈, ...
    rank: int  # severity: a case takes the most severe measure its findings earn
    decided_by: DecidedBy = DecidedBy.OFFICE  # the default; a policy may ask a committee
    # a 问责 measure under the accountability regulations; reminders, supervision letters and
    # talks are the office's own supervision, and a return for correction is neither
    accountability: bool = False

    @property
    def document(self) -> DocumentKind:
        return DOCUMENT_KINDS[self.key]

    @property
    def template(self) -> str:
        return self.document.template

    @property
    def numbered(self) -> bool:
        return self.document.numbered


MEASURE_KINDS: dict[str, MeasureKind] = {k.key: k for k in (
    MeasureKind("return_for_correction", "退回补正", 0),
    MeasureKind("reminder", "提醒", 1),
    MeasureKind("supervision", "督办", 2),
    MeasureKind("talk", "约谈", 3),
    MeasureKind("self_inspection", "责令检查", 4, DecidedBy.COMMITTEE, accountability=True),
    MeasureKind("circulated_criticism", "通报批评", 5, DecidedBy.COMMITTEE, accountability=True),
    MeasureKind("admonishment", "诫勉", 6, DecidedBy.COMMITTEE, accountability=True),
)}


def measure_kind(key: str) -> MeasureKind:
    try:
        return MEASURE_KINDS[key]
    except KeyError:
        raise ValueError(f"unknown action {key!r}; use one of {', '.join(MEASURE_KINDS)}") from None


def measure_name(key: str) -> str:
    kind = MEASURE_KINDS.get(key)
    return kind.name if kind else key


def by_severity(keys: Iterable[str]) -> list[str]:
    """Measure keys from mild to severe."""
    return sorted(keys, key=lambda k: measure_kind(k).rank)


# Working days a measure gives for its written answer unless the policy's `replies` says otherwise
DEFAULT_REPLY_DAYS = 10


# Documents that are no case's notice, and how their ids are made (an id names a document;
# its kind is a column, never read off the id): the quarter's circular circular-2026-Q3, its
# ranking communiqué ranking-2026-Q3, the period's 通报批评 criticism-2026-10, a 催办
# chase-2026-08-DW0001-ZB03-1.
QUARTER_CIRCULAR = "quarter_circular"
RANKING_CIRCULAR = "ranking_circular"
CRITICISM_CIRCULAR = "criticism_circular"
CHASE = "chase"
QUARTER_CIRCULARS = (QUARTER_CIRCULAR, RANKING_CIRCULAR)
_ID_PREFIXES = {QUARTER_CIRCULAR: "circular-", RANKING_CIRCULAR: "ranking-",
                CRITICISM_CIRCULAR: "criticism-"}


def circular_subject(period: str, kind: str = QUARTER_CIRCULAR) -> str:
    return f"{_ID_PREFIXES[kind]}{period}"


def chase_subject(period: str, org_code: str, number: int = 1) -> str:
    """The id of an organization's `number`-th 催办 of a cycle (one letter names every answer
    it is missing; a second only when the first was issued or withdrawn and more came due)."""
    return f"chase-{period}-{org_code}" + (f"-{number}" if number > 1 else "")


# ------------------------------------------------------------------------ action statuses


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"
    ISSUED = "issued"
    WITHDRAWN = "withdrawn"

    @property
    def words(self) -> str:
        return _STATUS_WORDS[self]


_STATUS_WORDS = {
    DocumentStatus.DRAFT: "草稿，待审核", DocumentStatus.APPROVED: "已批准，待印发",
    DocumentStatus.REJECTED: "已驳回", DocumentStatus.ISSUED: "已印发",
    DocumentStatus.WITHDRAWN: "已撤回",
}
# Decisions a re-run keeps unless the evidence changed; what was issued never changes.
DECIDED = (DocumentStatus.APPROVED, DocumentStatus.REJECTED)
# A measure taken: escalation climbs on it, and circulars count it (drafts are not measures).
TAKEN = (DocumentStatus.APPROVED, DocumentStatus.ISSUED)
REVIEWABLE = (DocumentStatus.DRAFT, DocumentStatus.APPROVED, DocumentStatus.REJECTED)
DECISIONS = {"approve": DocumentStatus.APPROVED, "reject": DocumentStatus.REJECTED}


# What a file kept with a ledger meeting is
LEDGER_FILE_KINDS = {"minutes": "会议记录", "sign_in": "签到表"}


# The audit log's events as a reviewer reads them (the log itself keeps the keys).
EVENT_WORDS = {
    "opened": "立案", "reopened": "重新立案", "evidence_changed": "依据变化，退回草稿",
    DocumentStatus.WITHDRAWN: "撤回", DocumentStatus.APPROVED: "批准", DocumentStatus.REJECTED: "驳回",
    DocumentStatus.ISSUED: "印发", "circulated": "随通报印发",
    "refused_approve": "批准未记录（不符合规定）", "refused_reject": "驳回未记录（不符合规定）",
    "reply_received": "收到整改反馈", "accepted": "反馈通过，销号", "returned": "反馈退回",
    "signed_for": "签收", "ledger_recorded": "登记组织生活台账",
    "ledger_files_added": "上传组织生活会议材料",
    "ledger_rectification_recorded": "登记整改事项", "ledger_rectification_updated": "更新整改事项",
    "notifications_queued": "生成印发通知", "notified": "通知已发送", "notify_failed": "通知发送失败",
    "account_email": "设置通知邮箱",
    "reply_draft_saved": "保存整改情况反馈草稿",
    "refused_accept": "销号未记录（不符合规定）", "refused_return": "退回未记录（不符合规定）",
    "chase_drafted": "反馈逾期，起草催办函", "chase_approved": "催办函批准",
    "chase_rejected": "催办函驳回", "chase_issued": "印发催办函",
    "chase_withdrawn": "催办函撤回（已收到反馈）", "refused_chase": "催办函决定未记录（不符合规定）",
    "drafted": "起草", "redrafted": "重新起草",
    "merged": "措施印发未满规定工作日，后续问题并入本案",
    "confirmed": "黄榜整改期满未整改到位，转入黑榜", "lifted": "黄榜整改到位，撤榜",
}


def document_name(kind: str) -> str:
    """A document kind's name: 提醒函, 催办函, 季度通报."""
    found = DOCUMENT_KINDS.get(kind)
    return found.name if found else kind


def event_words(event: str) -> str:
    return EVENT_WORDS.get(event, event)


class FollowUp(StrEnum):
    """After issue, the answer's own lifecycle (闭环): the document stays issued and frozen,
    while the case waits for the organization's reply, falls overdue, or is closed (销号)."""

    AWAITING_REPLY = "awaiting_reply"
    OVERDUE = "overdue"  # not stored: awaiting a reply past its due date
    CLOSED = "closed"

    @property
    def words(self) -> str:
        return _FOLLOW_UP_WORDS[self]


_FOLLOW_UP_WORDS = {
    FollowUp.AWAITING_REPLY: "已印发，待整改反馈", FollowUp.OVERDUE: "反馈已逾期",
    FollowUp.CLOSED: "已销号",
}


# `dutyflow cases --status open`: every case not yet settled one way or the other
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "open": (DocumentStatus.DRAFT, DocumentStatus.APPROVED, DocumentStatus.ISSUED,
             FollowUp.AWAITING_REPLY, FollowUp.OVERDUE),
}


def status_words(status: str) -> str:
    for vocabulary in (DocumentStatus, FollowUp):
        try:
            return vocabulary(status).words
        except ValueError:
            continue
    return status


# ----------------------------------------------------- duty report ratings (述职评议等次)


@dataclass(frozen=True)
class Rating:
    key: str
    name: str
    rank: int  # 0 best


RATINGS: tuple[Rating, ...] = (
    Rating("good", "好", 0), Rating("fairly_good", "较好", 1),
    Rating("average", "一般", 2), Rating("poor", "差", 3),
)
RATING_CHOICES: dict[str, str] = {s: r.key for r in RATINGS for s in (r.key, r.name)}
RATING_NAMES: dict[str, str] = {r.key: r.name for r in RATINGS}

# ------------------------------------------------------------------------- yes/no cells

YES_NO: dict[str, bool] = {"是": True, "有": True, "设": True, "已设": True, "yes": True,
                           "y": True, "true": True, "1": True, "√": True,
                           "否": False, "无": False, "未设": False, "不设": False, "no": False,
                           "n": False, "false": False, "0": False, "×": False}

# --------------------------------------------------------------------------- rule families

FAMILIES: dict[str, str] = {
    "meeting": "组织生活", "rectification": "问题整改", "fulfillment": "履责考核",
    "duty_report": "述职评议", "follow_up": "整改反馈",
}

# Where a rectification problem came from (问题来源)
ITEM_SOURCES: tuple[str, ...] = ("巡察", "督查", "民主生活会", "审计", "自查")


# ------------------------------------------------------------- the quarter's ranking (红黑榜)


class Listing(StrEnum):
    """Where a quarter's ranking lists an organization: the top list, the bottom list, or
    neither. A bottom-list entry is provisional (黄榜) while its correction window runs, then
    confirmed (黑榜) or lifted (撤榜) if the organization corrected in time."""

    TOP = "top"
    PROVISIONAL = "provisional"
    CONFIRMED = "confirmed"
    LIFTED = "lifted"

    @property
    def words(self) -> str:
        return _LISTING_WORDS[self]


_LISTING_WORDS = {Listing.TOP: "红榜", Listing.PROVISIONAL: "黄榜", Listing.CONFIRMED: "黑榜",
                  Listing.LIFTED: "整改到位，撤榜"}
BOTTOM_LISTINGS = (Listing.PROVISIONAL, Listing.CONFIRMED, Listing.LIFTED)
# The groups a ranking ranks separately: 直属党组织 among themselves, 党支部 among themselves
RANKING_GROUPS: dict[str, str] = {"unit": "直属党组织", "branch": "基层党支部"}
