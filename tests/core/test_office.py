"""The office file: found in the working folder, TOML or YAML, and every example value named."""

from __future__ import annotations

import tomllib

from dutyflow.core.office import Office, examples_left, issue_refusal, read_office
from dutyflow.core.settings import reload_settings, settings
from tests.conftest import OFFICE_FILE


def test_the_demo_office_is_complete_and_names_the_talks_conductor_by_title_and_name():
    office = read_office(OFFICE_FILE)
    assert examples_left(office) == []
    assert office.talk_conductor == "市直机关工委副书记陈志远同志"
    assert issue_refusal(office, OFFICE_FILE, found=True) is None


def test_without_a_file_every_example_is_listed_and_drafts_read_as_examples():
    left = examples_left(Office())
    assert {"issuer_name", "issuer_address", "contact_phone", "talk_conductor_name",
            "organization_department", "discipline_group"} <= set(left)
    assert "reply_office" not in left  # a name any city's 工委 may keep


def test_a_value_that_still_reads_as_an_example_is_one_even_when_changed():
    office = read_office(OFFICE_FILE).model_copy(update={"talk_place": "某市会议室（待补）"})
    assert examples_left(office) == ["talk_place"]


def test_office_yaml_in_the_working_folder_is_read_when_no_file_is_named(tmp_path, monkeypatch):
    values = tomllib.loads(OFFICE_FILE.read_text(encoding="utf-8"))
    (tmp_path / "office.yaml").write_text(
        "".join(f"{key}: \"{value}\"\n" for key, value in values.items()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DUTYFLOW_OFFICE_FILE")
    try:
        reload_settings()
        assert settings.office_path.name == "office.yaml"
        assert settings.office.issuer_address == values["issuer_address"]
        assert settings.issue_refusal() is None
    finally:
        monkeypatch.undo()
        reload_settings()
