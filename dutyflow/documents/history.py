"""What a document says about an organization's past, written only from the record: each
sentence names an issued document by its number and date, or an answer, 销号, 退回 or 催办
recorded before the document's date. Nothing comes from the escalation ladder, so a measure
that was never issued cannot be mentioned and an answer is never called missing before it
was due (DOMAIN.md, "What a document may say about the past").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import ORG_TYPE_SHORT
from dutyflow.documents.wording import chinese_date

# What the office did, as "我委以<number><phrase>" reads; {you} is 你支部 (or the name, where
# others read), {secretary} the secretary's name.
_DONE = {
    "reminder": "对{you}{period}存在的问题进行了提醒",
    "supervision": "对{you}逾期未完成的整改事项进行了督办",
    "talk": "通知约谈{you}书记{secretary}",
    "self_inspection": "责令{you}作出书面检查",
    "circulated_criticism": "函告{you}抓好被通报批评问题的整改",
    "admonishment": "建议所在单位党组对{you}书记{secretary}予以诫勉",
}
# "我委于<date>以<number><phrase>后": the measure after which the period's failures are named
_AFTER = {
    "reminder": "进行提醒",
    "supervision": "进行督办",
    "talk": "通知约谈",
    "self_inspection": "责令作出书面检查",
    "circulated_criticism": "予以通报批评",
    "admonishment": "建议予以诫勉",
}


@dataclass(frozen=True)
class History:
    """The sentences about the past (each ends with 。) and, when a measure was issued before
    the judged period ended, the clause that introduces what failed after it."""

    sentences: tuple[str, ...] = ()
    after: str = ""  # 我委于2026年9月9日以市直工委函〔2026〕5号通知约谈后

    @property
    def text(self) -> str:
        return "".join(self.sentences)


def _who(org: Any, you: str | None) -> dict[str, str]:
    secretary = getattr(org, "secretary", None) or ""
    return {"you": you or f"你{ORG_TYPE_SHORT.get(getattr(org, 'org_type', ''), '单位')}",
            "secretary": f"{secretary}同志" if secretary else ""}


def _answer(past: Any, you: str, on: date) -> str:
    """What became of the answer the measure asked for, as recorded up to `on`."""
    parts: list[str] = []
    if past.replies:
        parts.append(f"{you}于{chinese_date(past.replies[0])}报送了整改情况反馈")
        if past.returned:
            again = (f"，要求于{chinese_date(past.due_again)}前重新报送"
                     if past.due_again else "")
            parts.append(f"{chinese_date(past.returned[0])}经审核退回{again}")
            later = [d for d in past.replies if d >= past.returned[-1]]
            if later:
                parts.append(f"{you}于{chinese_date(later[0])}重新报送")
        if past.accepted_on:
            parts.append(f"{chinese_date(past.accepted_on)}经审核予以销号")
    elif past.answer_due is not None:
        if past.answer_due < on:
            parts.append(f"该文要求于{chinese_date(past.answer_due)}前报送整改情况反馈，"
                         f"截至{chinese_date(on)}未收到")
        else:
            parts.append(f"该文要求于{chinese_date(past.answer_due)}前报送整改情况反馈")
    for chase in past.chases:
        parts.append(f"{chinese_date(chase.issued_on)}，我委以{chase.number}进行了催办")
    return "；".join(parts)


def _sentence(past: Any, who: dict[str, str], on: date) -> str:
    period = Period.parse(past.period).label
    day, number = chinese_date(past.notice.issued_on), past.notice.number
    done = _DONE[past.measure].format(period=period, **who)
    if past.measure == "circulated_criticism" and past.circular is not None:
        head = (f"{chinese_date(past.circular.issued_on)}，我委以{past.circular.number}对"
                f"{who['you']}予以通报批评，并以{number}{done}")
    else:
        head = f"{day}，我委以{number}{done}"
    if past.measure == "talk" and past.meeting_on is not None:
        head += f"，约谈时间为{chinese_date(past.meeting_on)}{past.meeting_time}"
    answer = _answer(past, who["you"], on)
    return f"{head}{'；' + answer if answer else ''}。"


def history_of(pasts: Sequence[Any], *, org: Any, on: date, period: str,
               you: str | None = None) -> History:
    """The record of measures issued to `org` before the document dated `on`, which judges
    `period` (pasts: models.record.PastMeasure, oldest first). `you` names the organization
    (default 你支部, the addressee; a 通报 or a letter to its party group names it)."""
    if not pasts:
        return History()
    who = _who(org, you)
    sentences = tuple(_sentence(p, who, on) for p in pasts)
    end = Period.parse(period).last_day
    before_end = [p for p in pasts if p.notice.issued_on <= end]
    after = ""
    if before_end:
        lead = before_end[-1]
        when = lead.circular or lead.notice
        after = (f"我委于{chinese_date(when.issued_on)}以{when.number}"
                 f"{_AFTER[lead.measure]}后")
    return History(sentences, after)
