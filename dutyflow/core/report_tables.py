"""The report tables of the contract, each declared once: its file and sheet names, and for each
column its name, Chinese headers, value type, whether a report must carry it, the name it is
stored under, and which columns a finding about one of its rows quotes as evidence.

Every room reads these declarations rather than listing columns of its own: the readers and
validators (`dutyflow.reports`), the frames a period is judged from
(`models.accountability.read_period_frames`), the facts and the evidence (`rules.facts`,
`rules.outcome`), the sample generator and the benchmark. The SQLModel tables of the reports
(`models.tables`: Organization, Meeting, Rectification, Assessment) stay classes;
`tests/models/test_report_tables.py` checks that they, and the migrations, agree with this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from dutyflow.core.vocabulary import (
    ITEM_STATUS_CHOICES,
    MEETING_TYPE_SEPARATORS,
    MEETING_TYPES,
    ORG_TYPES,
    RATING_CHOICES,
    MeetingType,
    meeting_type_choices,
)


class Kind(StrEnum):
    """What a column's cells hold, and so how the readers parse them and the database stores
    them (tests/models/test_report_tables.py holds the pairs)."""

    TEXT = "text"
    INT = "int"  # a non-negative count
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    PERIOD = "period"
    BOOL = "bool"  # yes/no (是/否, vocabulary.YES_NO)
    YEAR = "year"  # 2026, "2026年", "2026年度": a year in 2000-2099


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a report table."""

    name: str
    chinese: tuple[str, ...]  # its headers in Chinese, the first as a template writes it
    kind: Kind = Kind.TEXT
    required: bool = True  # a table without this column stops the run
    choices: dict[str, str] = field(default_factory=dict)  # accepted spelling -> canonical key
    minimum: float | None = None
    maximum: float | None = None
    # CHOICE: a cell may name several choices split by any of these characters; the row then
    # counts once for each (one cleaned row per choice)
    several: str = ""
    max_length: int | None = None  # TEXT: longer cells are refused (the database column's size)
    # a required column whose cells may still be empty (完成日期 of an item still open)
    blank_allowed: bool = False
    # the database column and fact field, where they are not `name` (an assessment's 考核期 is
    # stored as `assessed_period`: `period` is the run's period on every report table)
    stored_as: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.chinese[0]})"

    @property
    def stored(self) -> str:
        """Its name in the database, in the period's frames, in facts and in evidence."""
        return self.stored_as or self.name

    @property
    def may_be_empty(self) -> bool:
        """Whether a row may leave the cell empty (an optional column, or a blank-allowed one)."""
        return not self.required or self.blank_allowed


@dataclass(frozen=True)
class TableSpec:
    """One report table: where it is found, its columns, what identifies a row, and what a
    finding about one of its rows quotes."""

    name: str
    names: tuple[str, ...]  # file stems / sheet names that hold this table, English and Chinese
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]  # columns that identify a row; a repeat is quarantined as a duplicate
    # the stored columns a finding about one row carries as evidence, in the order it lists
    # them (a notice reads them there: the 督办函's table of overdue items); the rules add the
    # figures they derive (days overdue, ...) after these
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        for column in (*self.key, *names):
            if names.count(column) != 1:
                raise ValueError(f"table {self.name}: column {column!r} is not declared once")
        for column in self.evidence:
            if column not in self.stored_columns:
                raise ValueError(f"table {self.name}: evidence names no column {column!r}")

    @property
    def required(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @property
    def stored_columns(self) -> tuple[str, ...]:
        """The columns as the database stores them and the period's frames carry them."""
        return tuple(c.stored for c in self.columns)

    @property
    def stored_key(self) -> tuple[str, ...]:
        return tuple(self.column(k).stored for k in self.key)

    @property
    def renames(self) -> dict[str, str]:
        """Report column -> database column, where they differ."""
        return {c.name: c.stored for c in self.columns if c.stored != c.name}

    @property
    def optional_evidence(self) -> tuple[str, ...]:
        """Evidence columns a report may not carry: left out of a finding when empty."""
        return tuple(c.stored for c in self.columns
                     if not c.required and c.stored in self.evidence)


ORGANIZATIONS = TableSpec(
    name="organizations",
    names=("organizations", "organization", "orgs", "组织", "组织名册", "党组织", "组织信息"),
    columns=(
        ColumnSpec("org_code", ("组织编码", "组织代码", "编码"), max_length=64),
        ColumnSpec("org_name", ("组织名称", "党组织名称", "名称"), max_length=200),
        ColumnSpec("org_type", ("组织类型", "类型"), Kind.CHOICE, choices=ORG_TYPES),
        # a required column, empty for the top of the tree
        ColumnSpec("parent_code", ("上级组织编码", "上级编码", "上级组织"), max_length=64,
                   blank_allowed=True),
        ColumnSpec("secretary", ("书记", "支部书记", "书记姓名"), max_length=100),
        ColumnSpec("members", ("党员人数", "党员数"), Kind.INT, minimum=0),
        ColumnSpec("groups", ("党小组数", "党小组数量"), Kind.INT, required=False, minimum=0),
        # optional: the members with a vote (may not exceed 党员人数), whether the branch has
        # elected a committee, and the party group of the unit it sits in
        ColumnSpec("full_members", ("正式党员数", "正式党员人数", "正式党员"), Kind.INT,
                   required=False, minimum=0),
        ColumnSpec("has_committee", ("是否设支委会", "是否设立支委会", "是否设立支部委员会",
                                     "是否设支部委员会", "设支委会"), Kind.BOOL, required=False),
        ColumnSpec("unit_party_group", ("所在单位党组", "单位党组", "所属党组"), required=False,
                   max_length=200),
    ),
    key=("org_code",),
)

MEETINGS = TableSpec(
    name="meetings",
    names=("meetings", "meeting", "会议", "组织生活", "组织生活台账", "会议台账", "三会一课"),
    columns=(
        ColumnSpec("org_code", ("组织编码", "组织代码", "编码")),
        # 主题党日、党课: one session held as several types counts for each
        ColumnSpec("meeting_type", ("会议类型", "类型", "会议名称"), Kind.CHOICE,
                   choices=meeting_type_choices(), several=MEETING_TYPE_SEPARATORS),
        ColumnSpec("held_on", ("召开日期", "会议日期", "日期", "召开时间"), Kind.DATE),
        ColumnSpec("attendees", ("实到人数", "参会人数", "出席人数"), Kind.INT, minimum=0),
        # optional: the year a yearly meeting is for (组织生活会 of 2026 held in January 2027)
        ColumnSpec("for_year", ("所属年度", "年度", "所属年份", "会议所属年度"), Kind.YEAR,
                   required=False),
    ),
    # Two groups may meet the same day; only a row repeated cell for cell is a double entry.
    # (A row naming several types is one cleaned row per type, so its types never clash.)
    key=("org_code", "meeting_type", "held_on", "attendees"),
)

RECTIFICATIONS = TableSpec(
    name="rectifications",
    names=("rectifications", "rectification", "整改", "整改台账", "问题整改台账"),
    columns=(
        ColumnSpec("item_id", ("问题编号", "编号", "序号"), max_length=64),
        ColumnSpec("org_code", ("组织编码", "组织代码")),
        ColumnSpec("description", ("问题描述", "问题", "存在问题")),
        ColumnSpec("deadline", ("整改时限", "整改期限", "时限"), Kind.DATE),
        ColumnSpec("status", ("整改状态", "状态", "整改情况"), Kind.CHOICE, choices=ITEM_STATUS_CHOICES),
        # a required column, empty while the item is open
        ColumnSpec("completed_on", ("完成日期", "完成时间", "整改完成日期"), Kind.DATE,
                   blank_allowed=True),
        # optional: an approved extension (after the deadline), where the problem was found,
        # and the person responsible for fixing it
        ColumnSpec("extended_to", ("延期至", "延期时限", "延期整改时限", "延期日期", "延长至"),
                   Kind.DATE, required=False),
        ColumnSpec("source", ("问题来源", "来源"), required=False, max_length=50),
        ColumnSpec("responsible", ("整改责任人", "责任人", "整改负责人"), required=False,
                   max_length=100),
        # optional: the day the problem was found (its start): it cannot be completed before
        ColumnSpec("found_on", ("发现日期", "问题发现日期", "立项日期"), Kind.DATE, required=False),
    ),
    key=("item_id",),
    # an overdue item as the 督办函 lists it (source, person responsible and extension only
    # where the report gives them)
    evidence=("item_id", "description", "deadline", "extended_to", "source", "responsible",
              "status", "completed_on"),
)

ASSESSMENTS = TableSpec(
    name="assessments",
    names=("assessments", "assessment", "考核", "考核结果", "党建考核", "履责考核"),
    columns=(
        ColumnSpec("org_code", ("组织编码", "组织代码")),
        ColumnSpec("period", ("考核期", "考核周期", "考核期间"), Kind.PERIOD,
                   stored_as="assessed_period"),
        ColumnSpec("score", ("考核得分", "得分", "分数"), Kind.NUMBER, minimum=0, maximum=100),
        ColumnSpec("tasks_total", ("责任清单任务数", "任务数", "任务总数"), Kind.INT, minimum=0),
        ColumnSpec("tasks_done", ("已完成任务数", "完成任务数"), Kind.INT, minimum=0),
        # optional, usually yearly: the rating of the secretary's duty report, as its key
        ColumnSpec("duty_report_rating", ("述职评议等次", "述职评议结果", "述职评议等级",
                                          "述职评议", "评议等次"), Kind.CHOICE, required=False,
                   choices=RATING_CHOICES),
    ),
    key=("org_code", "period"),
    # a fulfillment finding's score and tasks (the rating is the duty-report finding's own)
    evidence=("assessed_period", "score", "tasks_total", "tasks_done"),
)

# An organization's answer to an issued measure (整改反馈), optional: each row names its case by
# id or by the document number the notice carried (a row needs one of the two).
REPLIES = TableSpec(
    name="replies",
    names=("replies", "reply", "整改反馈", "整改反馈表", "整改情况反馈", "整改情况反馈表"),
    columns=(
        ColumnSpec("case_id", ("案件编号", "案件号"), required=False, max_length=120),
        ColumnSpec("document_number", ("文号", "通知文号", "发文字号"), required=False,
                   max_length=64),
        ColumnSpec("replied_on", ("反馈日期", "报送日期", "反馈时间"), Kind.DATE),
        ColumnSpec("measures", ("整改措施", "整改情况", "措施"), required=False),
        ColumnSpec("completed", ("是否完成", "是否完成整改"), Kind.BOOL, required=False),
        ColumnSpec("evidence", ("佐证材料", "佐证", "附件"), required=False),
    ),
    key=("case_id", "replied_on"),  # after the case is resolved from either column
)

# The period's report tables, in the order they load (organizations first: the others name
# them); replies last, as they name cases rather than organizations.
TABLES: tuple[TableSpec, ...] = (ORGANIZATIONS, MEETINGS, RECTIFICATIONS, ASSESSMENTS, REPLIES)
TABLES_BY_NAME = {t.name: t for t in TABLES}
# When a file name contains several table names, the more specific one wins
# ("组织生活台账" is meetings, not organizations).
MATCH_ORDER: tuple[TableSpec, ...] = (REPLIES, MEETINGS, RECTIFICATIONS, ASSESSMENTS,
                                      ORGANIZATIONS)


def table_specs(meeting_types: Iterable[MeetingType] = MEETING_TYPES) -> dict[str, TableSpec]:
    """The tables by name, reading meeting types from `meeting_types` (a policy may declare
    types of its own, and their Chinese names must then be accepted in the ledger)."""
    column = MEETINGS.column("meeting_type")
    typed = replace(column, choices=meeting_type_choices(meeting_types))
    meetings = replace(MEETINGS, columns=tuple(typed if c is column else c for c in MEETINGS.columns))
    return {t.name: (meetings if t is MEETINGS else t) for t in TABLES}
