"""Every word a reviewer reads is plain Chinese, without command-line flags: each sentence of
the refusal vocabulary, the login's answers, the refusals a decision gets at the desk, the
same sentence printed by the command line, and the audit trail (names, not the program)."""

from __future__ import annotations

import re
import string

import pytest
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core import refusals
from dutyflow.services.review import decide
from tests.desk.conftest import OWN_BRANCH
from tests.desk.test_desk_pages import visible_words
from tests.desk.test_desk_security import csrf_of, log_in

CASE = "2026-08-DW0002-ZB03"
PROPOSAL = "2026-08-DW0001-ZB01"
SENTENCES = {name: value for name, value in vars(refusals).items()
             if name.isupper() and isinstance(value, str)}


def english(text: str) -> list[str]:
    """What in a sentence is not plain Chinese: Latin words, command-line flags, code quotes."""
    return (re.findall(r"(?<![\w.])[A-Za-z]{2,}(?![\w])", text)
            + re.findall(r"--\w+|`[^`]*`", text))


def filled(template: str) -> str:
    """The sentence as a reader gets it, its blanks filled with Chinese words."""
    fields = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    return template.format(**{f: "某某" for f in fields})


def test_the_english_check_catches_what_the_desk_used_to_say():
    for old in ("a rejection needs a reason (--note)", "只有委员会可以决定，例如 --decision",
                "已批准；见 `dutyflow audit`", "(wrong name or password)", "no such document"):
        assert english(old), old


@pytest.mark.parametrize("name", sorted(SENTENCES))
def test_every_refusal_of_the_vocabulary_is_plain_chinese(name):
    sentence = filled(SENTENCES[name])
    assert not english(sentence), (name, sentence)
    assert re.search(r"[\u4e00-\u9fff]", sentence), name


def page_says(response_text: str) -> list[str]:
    """The flash messages and alerts of a page."""
    return re.findall(r'class="flash (?:ok|error)"[^>]*>([^<]*)<', response_text)


def test_the_login_answers_in_chinese(client):
    wrong = log_in(client, password="wrong-password")
    assert refusals.WRONG_LOGIN in wrong.text and not visible_words(wrong.text)
    for _ in range(4):
        log_in(client, password="wrong-password")
    locked = log_in(client)
    assert locked.status_code == 429 and "该账号因多次登录失败已暂时锁定" in locked.text
    assert not visible_words(locked.text), visible_words(locked.text)
    guard = client.app.state.logins
    taken = [guard.checks.acquire(blocking=False) for _ in range(8)]  # every check slot busy
    try:
        busy = log_in(client, "赵书记")
    finally:
        for held in taken:
            if held:
                guard.checks.release()
    assert busy.status_code == 429 and refusals.LOGIN_BUSY in busy.text
    assert not visible_words(busy.text)


def decided(client, document_id: str, **form: str) -> list[str]:
    page = client.get(f"/documents/{document_id}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    answer = client.post(f"/documents/{document_id}/decide", follow_redirects=True, data={
        "csrf": csrf_of(page), "version": version.group(1) if version else "", **form})
    return page_says(answer.text)


def test_every_refusal_of_a_decision_at_the_desk_is_plain_chinese(client):
    log_in(client)
    said = decided(client, CASE, decision="reject", note="")
    said += decided(client, CASE, decision="")
    said += decided(client, PROPOSAL, decision="approve", decision_ref="")
    page = client.get(f"/documents/{CASE}").text  # read, then someone else decides
    decide(document_id=CASE, decision="approve", reviewer="刘审核")
    stale = client.post(f"/documents/{CASE}/decide", follow_redirects=True, data={
        "csrf": csrf_of(page), "decision": "reject", "note": "材料不全",
        "version": re.search(r'name="version" value="(\d+)"', page).group(1)})
    said += page_says(stale.text)
    bulk = client.post("/queue/approve", follow_redirects=True, data={
        "csrf": csrf_of(page), "case": [PROPOSAL, f"{CASE}@1", "2026-08-DW9999-ZB99"]})
    said += page_says(bulk.text)
    said += page_says(client.post("/queue/approve", follow_redirects=True,
                                  data={"csrf": csrf_of(page)}).text)
    assert refusals.NOT_RECORDED.format(document_id=CASE, reason=refusals.REJECT_NEEDS_NOTE) in said
    assert refusals.CHOOSE_DECISION in said and refusals.NOTHING_CHOSEN in said
    assert any("刘审核于" in s and "请刷新后重新审阅" in s for s in said)
    assert any("没有编号为 2026-08-DW9999-ZB99 的文书" in s for s in said)
    assert len(said) >= 7
    for sentence in said:
        assert not english(re.sub(r"\d{4}-\d{2}-[A-Z0-9-]+", "", sentence)), sentence


def test_a_secretary_is_refused_in_chinese_on_their_own_branch(client):
    log_in(client, "赵书记")
    said = decided(client, f"2026-08-{OWN_BRANCH}", decision="approve")
    assert said and "本单位的文书须由他人决定" in said[0]
    assert not english(re.sub(r"\d{4}-\d{2}-[A-Z0-9-]+", "", said[0]))


def test_the_command_line_prints_the_same_sentence_as_the_desk(client):
    runner = CliRunner()
    result = runner.invoke(app, ["review", CASE, "--reject", "--reviewer", "李审核"])
    assert result.exit_code == 2
    assert refusals.NOT_RECORDED.format(document_id=CASE, reason=refusals.REJECT_NEEDS_NOTE) \
        in result.output
    log_in(client)
    assert refusals.NOT_RECORDED.format(document_id=CASE, reason=refusals.REJECT_NEEDS_NOTE) \
        in decided(client, CASE, decision="reject", note="")


def test_the_audit_trail_names_people_and_the_system_never_the_program(client):
    decide(document_id=CASE, decision="approve", reviewer="李审核")
    log_in(client)
    page = client.get(f"/documents/{CASE}").text
    trail = re.search(r'<table class="grid" id="audit">(.*?)</table>', page, re.S).group(1)
    assert "系统（自动）" in trail and "李审核" in trail and "dutyflow" not in trail
    evidence = re.search(r'<ol id="evidence">(.*?)</ol>', page, re.S).group(1)
    assert not re.search(r"\b[a-z_]+\.[a-z_.]+\d*\b", evidence)  # no rule id (fulfillment.weak…)
    # the file formats are named as every Chinese office names them (Word 文档, PDF)
    assert set(visible_words(page)) <= {"Word", "docx", "PDF"}, visible_words(page)
    audit = CliRunner().invoke(app, ["audit", "--period", "2026-08"])
    assert "系统（自动）" in audit.output and "李审核" in audit.output
    assert " dutyflow " not in audit.output


def test_the_queue_and_the_login_pages_show_no_english(client):
    from tests.desk.conftest import XSS_NAME

    assert not visible_words(client.get("/login").text)
    log_in(client)
    for path in ("/queue", "/queue?status=all", "/queue?decided_by=proposal"):
        page = client.get(path).text.replace(XSS_NAME.replace("'", "&#39;").replace("<", "&lt;")
                                             .replace(">", "&gt;"), "")
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S))
        assert not english(text), (path, english(text))  # codes such as DW0002-ZB03 are not words
