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
