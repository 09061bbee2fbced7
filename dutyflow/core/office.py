"""The office's identity: who issues (名称、标志、署名、印发机关), its address and telephone, the
contact person, the 约谈人 by name and title, and where answers go (reply_office).

It lives in one file the office fills in, `office.toml` (or `office.yaml`) in the working
folder, or the file DUTYFLOW_OFFICE_FILE names; samples/office.toml is a filled-in example for
a fictional city. Drafts can be made before it is filled in (they show the examples, 待补);
nothing is issued while the file is missing or any example value remains (`issue_refusal`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dutyflow.core.errors import DutyflowError

TO_FILL = "待补"


def _text(example: str, label: str) -> Any:
    return Field(default=example, min_length=1, max_length=200, description=label)


class Office(BaseModel):
    """What every issued document says of its issuer. The defaults are examples: a draft
    reads with them, an issued document never does."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    # 工委 is a body of the city committee (市委), hence 中共X市委市直机关工作委员会
    issuer_name: str = _text("中共某市委市直机关工作委员会", "发文机关全称")
    issuer_mark: str = _text("中共某市委市直机关工委文件", "文件格式的发文机关标志")
    letter_mark: str = _text("中共某市委市直机关工作委员会", "信函格式的发文机关标志")
    issuer_signature: str = _text("中共某市委市直机关工作委员会", "发文机关署名")
    printing_office: str = _text("中共某市委市直机关工作委员会办公室", "印发机关（版记）")
    issuer_address: str = _text(TO_FILL, "发文机关地址")
    contact_person: str = _text(TO_FILL, "联系人")
    contact_phone: str = _text(TO_FILL, "联系电话")
    talk_conductor_name: str = _text("某某", "约谈人姓名")
    organization_department: str = _text("中共某市委组织部", "市委组织部（通报、诫勉建议函抄送）")
    discipline_group: str = _text("某市纪委监委驻市委组织部纪检监察组", "派驻纪检监察组（抄送）")
    # generic for any city's 工委: not examples, an office may keep them
    issuer_prefix: str = Field(default="市直工委", min_length=1, max_length=40,
                               description="文件的发文字号（市直工委〔2026〕3号）")
    letter_prefix: str = Field(default="市直工委函", min_length=1, max_length=40,
                               description="信函的发文字号（市直工委函〔2026〕12号）")
    # where written answers, 回执 and excuses go: one office, named the same in every sentence
    reply_office: str = _text("市直机关工委组织部", "反馈报送部门")
    talk_conductor_title: str = _text("市直机关工委副书记", "约谈人职务")
    all_units: str = _text("市直各部门（单位）党组（党委）、各机关党委", "通报的主送机关")
    talk_place: str = _text("市直机关工委第一会议室", "约谈地点")

    @property
    def talk_conductor(self) -> str:
        """The 约谈人 as a notice names them: 市直机关工委副书记陈志远同志."""
        return f"{self.talk_conductor_title}{self.talk_conductor_name}同志"


# The fields an office must fill in: their defaults are examples, never to be issued. The
# others default to what any city's 工委 may keep, but no value may read as an example.
REQUIRED = ("issuer_name", "issuer_mark", "letter_mark", "issuer_signature", "printing_office",
            "issuer_address", "contact_person", "contact_phone", "talk_conductor_name",
            "organization_department", "discipline_group")
EXAMPLE_MARKS = (TO_FILL, "某市", "某某", "0000-0000")


def label(name: str) -> str:
    return Office.model_fields[name].description or name


class OfficeError(DutyflowError):
    """The office file cannot be read or says something impossible: nothing uses it."""

    exit_code = 2


def _toml_line(message: str) -> str:
    found = re.search(r"line (\d+)", message)
    return f"第{found.group(1)}行" if found else ""


def read_office(path: Path) -> Office:
    """The office file, validated; any problem raises OfficeError in one Chinese line naming
    the file and the setting (or the line, for a file that is not TOML/YAML)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OfficeError(f"本单位信息文件 {path} 无法读取（{exc.strerror}）") from exc
    except UnicodeDecodeError as exc:
        raise OfficeError(f"本单位信息文件 {path.name} 不是 UTF-8 编码，请另存为 UTF-8") from exc
    if path.suffix in (".yaml", ".yml"):
        import yaml  # (only for a YAML file: most offices keep TOML, read by the standard library)

        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f"第{mark.line + 1}行" if mark else ""
            raise OfficeError(f"本单位信息文件 {path.name} {at}格式有误：每项写作 名称: 内容") from exc
    else:
        try:
            data = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as exc:
            raise OfficeError(f"本单位信息文件 {path.name} {_toml_line(str(exc))}格式有误："
                              "每项写作 名称 = \"内容\"") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise OfficeError(f"本单位信息文件 {path.name} 应逐项写出“名称 = 内容”")
    try:
        return Office.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        if error["type"] == "extra_forbidden":
            known = "、".join(Office.model_fields)
            why = f"没有“{name}”这一项（可填：{known}）"
        elif error["type"] == "string_too_short":
            why = f"{label(name)}（{name}）不能为空"
        elif error["type"] == "string_too_long":
            why = f"{label(name)}（{name}）过长"
        else:
            why = f"{label(name)}（{name}）应写成文字，加引号"
        raise OfficeError(f"本单位信息文件 {path.name}：{why}") from exc


def examples_left(office: Office) -> list[str]:
    """The settings that still hold an example value (待补, 某市, 某某 in any of them)."""
    return [name for name, field in Office.model_fields.items()
            if (name in REQUIRED and getattr(office, name) == field.default)
            or any(mark in getattr(office, name) for mark in EXAMPLE_MARKS)]


def issue_refusal(office: Office, path: Path, found: bool) -> str | None:
    """Why nothing may be issued yet, as one Chinese line naming the setting; None: ready."""
    if not found:
        return (f"未找到本单位信息文件 {path}（DUTYFLOW_OFFICE_FILE）：请参照 samples/office.toml "
                f"填写本单位的名称、地址、电话、联系人和约谈人后再印发")
    left = examples_left(office)
    if left:
        return (f"{label(left[0])}仍是示例值（{left[0]}），请在 {path.name} 中填写本单位信息"
                + (f"（另有 {len(left) - 1} 项同样未填）" if len(left) > 1 else ""))
    return None
