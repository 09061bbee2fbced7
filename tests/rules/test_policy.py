"""The policy file: the default loads; a bad one is refused with the line named."""

from __future__ import annotations

from pathlib import Path

import pytest

from dutyflow.rules.policy import DEFAULT_POLICY, PolicyError, load_policy


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_default_policy_loads_with_a_stable_version():
    first, second = load_policy(), load_policy()
    assert first.version == second.version and len(first.version) == 12
    assert [d.id for d in first.meetings.duties] == [
        "committee_meeting", "theme_day", "group_meeting", "general_meeting", "party_lecture",
        "life_meeting", "member_review"]
    assert all(d.basis for d in first.meetings.duties)


def test_an_edited_policy_has_another_version(tmp_path):
    old = "minimum: 1\n      only_with_committee: true"
    path = edited(tmp_path, old, old.replace("1", "2", 1))
    assert load_policy(path).version != load_policy().version


def test_an_unknown_field_is_refused_naming_its_line(tmp_path):
    path = edited(tmp_path, "      per_group: true", "      per_group: true\n      per_grup: true")
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert f"line {line_of(path, 'per_grup')}" in str(error.value)
    assert "unknown field 'per_grup'" in str(error.value)


def test_a_bad_threshold_is_refused_naming_its_line(tmp_path):
    path = edited(tmp_path, "score_below: 70", "score_below: 170")
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert f"line {line_of(path, 'score_below: 170')}" in str(error.value)


def test_an_impossible_ladder_is_refused(tmp_path):
    path = edited(tmp_path, "ladder: [reminder, talk, circulated_criticism, admonishment]",
                  "ladder: [talk, reminder, circulated_criticism, admonishment]")
    with pytest.raises(PolicyError, match="impossible ladder"):
        load_policy(path)


def test_an_unknown_measure_is_refused_naming_the_known_ones(tmp_path):
    path = edited(tmp_path, "committee_decides: [self_inspection,",
                  "committee_decides: [public_shaming,")
    with pytest.raises(PolicyError, match="unknown action 'public_shaming'; use one of"):
        load_policy(path)


def test_an_unknown_meeting_type_is_refused(tmp_path):
    path = edited(tmp_path, "meeting_type: theme_day", "meeting_type: tea_party")
    with pytest.raises(PolicyError, match="unknown meeting_type 'tea_party'"):
        load_policy(path)


def test_broken_yaml_is_refused_with_its_line(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("name: x\nseverity: [reminder\n")
    with pytest.raises(PolicyError, match="line"):
        load_policy(path)


def test_reply_days_are_per_measure_and_checked(tmp_path):
    policy = load_policy(edited(tmp_path, "    reminder: 10\n", "    reminder: 15\n"))
    assert policy.reply_days("reminder") == 15 and policy.reply_days("talk") == 10
    with pytest.raises(PolicyError, match=r"replies.working_days.reminder"):
        load_policy(edited(tmp_path, "    reminder: 10\n", "    reminder: 0\n"))
    with pytest.raises(PolicyError, match="unknown action 'reminderr'"):
        load_policy(edited(tmp_path, "    reminder: 10\n", "    reminderr: 10\n"))


# ---- a rule's wording, written from its own numbers -------------------------------------------

def test_the_requirements_are_written_from_the_rules_numbers(tmp_path):
    from dutyflow.rules.compile import compile_policy

    def quoted(policy, rule_id: str) -> str:
        return next(r.requirement for r in compile_policy(policy) if r.id == rule_id)

    default = load_policy()
    assert quoted(default, "fulfillment.weak.score.1") == \
        "党建工作考核得分不低于70分，责任清单任务完成率不低于80%"
    assert quoted(default, "meeting.general_meeting.1") == \
        "支部党员大会每季度至少召开1次，有表决权的党员须半数以上到会"
    assert quoted(default, "duty_report.average") == "党组织书记抓党建工作述职评议应达到“较好”以上等次"
    changed = load_policy(edited(tmp_path, "quorum: 0.5", "quorum: 0.6"))
    assert quoted(changed, "meeting.general_meeting.1").endswith("有表决权的党员须60%以上到会")
    twice = edited(tmp_path, "minimum: 1\n      only_with_committee: true",
                   "minimum: 2\n      only_with_committee: true")
    assert quoted(load_policy(twice), "meeting.committee_meeting.1") == \
        "设立支部委员会的党支部，支部委员会会议每月至少召开2次"
    no_longer_good = edited(tmp_path, "ratings: {average: reminder, poor: talk}",
                            "ratings: {fairly_good: reminder, average: talk, poor: talk}")
    assert quoted(load_policy(no_longer_good), "duty_report.poor") == \
        "党组织书记抓党建工作述职评议应达到“好”以上等次"


@pytest.mark.parametrize("old, new, field, said", [
    ("{score_below}分", "{score}分", "fulfillment.text",
     "没有占位符 {score}，可用：{score_below}、{tasks_done_below}"),
    ("至少讲授{minimum}次", "至少讲授两次", "meetings.duties.4.text", "文字写的是“两次”"),
    ("须{quorum:share}以上", "须三分之二以上", "meetings.duties.3.text", "文字写的是“三分之二”"),
    ("“{rating}”以上", "“好”以上", "duty_report.text", "须达到“较好”以上"),
    ("在规定期限内报送", "在3个工作日内报送", "replies.chase.text", "文字写的是“3个”"),
])
def test_words_that_state_another_number_are_refused_naming_the_line(tmp_path, old, new, field,
                                                                      said):
    path = edited(tmp_path, old, new)
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    line = line_of(path, new)
    assert str(refused.value).startswith(f"规则文件 policy.yaml 第{line}行（{field}）：")
    assert said in str(refused.value)


def test_a_policy_with_its_numbers_written_out_still_loads_when_they_agree(tmp_path):
    path = edited(tmp_path, "不低于{score_below}分，责任清单任务完成率不低于{tasks_done_below:%}",
                  "不低于70分，责任清单任务完成率不低于80％")  # a full-width ％, as typed
    assert load_policy(path).fulfillment.requirement == \
        "党建工作考核得分不低于70分，责任清单任务完成率不低于80％"
