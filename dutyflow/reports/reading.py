"""Find report tables in a folder or workbook and read each as raw rows with source positions."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from python_calamine import CalamineWorkbook

from dutyflow.core.errors import BadInputError
from dutyflow.core.report_tables import MATCH_ORDER, TableSpec
from dutyflow.core.settings import settings
from dutyflow.reports.text import vocabulary_key

SUPPORTED = {".xlsx", ".xlsm", ".xls", ".csv", ".json"}
# A cap on uncompressed workbook size guards against zip bombs masquerading as reports.


@dataclass(frozen=True)
class Source:
    """Where one table lives: a file, and for workbooks a sheet."""

    table: str
    path: Path
    sheet: str = ""

    @property
    def where(self) -> str:
        return f"{self.path.name}" + (f" [{self.sheet}]" if self.sheet else "")


@dataclass
class RawTable:
    """Cells as read, row 0 first; `row_numbers` are what the user sees in the file (1-based)."""

    source: Source
    rows: list[list[Any]]
    row_numbers: list[int]
    checksum: str


def match_table(name: str) -> TableSpec | None:
    """The table a file stem or sheet name holds, English or Chinese, or None."""
    key = vocabulary_key(name)
    for spec in MATCH_ORDER:
        if key in {vocabulary_key(n) for n in spec.names}:
            return spec
    for spec in MATCH_ORDER:
        if any(vocabulary_key(n) in key for n in spec.names if len(vocabulary_key(n)) > 1):
            return spec
    return None


def _is_workbook(path: Path) -> bool:
    return path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}


def _sheet_names(path: Path) -> list[str]:
    _check_workbook(path)
    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise BadInputError(f"无法作为工作簿读取（{exc}）", file=path.name) from exc


def _check_workbook(path: Path) -> None:
    if path.stat().st_size == 0:
        raise BadInputError("文件是空的", file=path.name)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        if not zipfile.is_zipfile(path):
            raise BadInputError("不是 Excel 工作簿（不是有效的 .xlsx 文件）", file=path.name)
        with zipfile.ZipFile(path) as archive:
            limit = settings.max_workbook_mib
            if sum(i.file_size for i in archive.infolist()) > limit * 1024 * 1024:
                raise BadInputError(f"解压后超过 {limit} MiB，拒绝打开（可由管理员调整上限 "
                                    f"DUTYFLOW_MAX_WORKBOOK_MIB）", file=path.name)


def find_sources(path: Path) -> list[Source]:
    """Every table found at `path` (a folder of files, or one workbook), in contract order."""
    if not path.exists():
        raise BadInputError("文件或文件夹不存在", file=str(path))
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    sources: list[Source] = []
    for file in files:
        if file.name.startswith((".", "~$")) or file.suffix.lower() not in SUPPORTED:
            continue
        if _is_workbook(file):
            sheets = _sheet_names(file)
            by_sheet = [(s, match_table(s)) for s in sheets]
            matched = [Source(spec.name, file, s) for s, spec in by_sheet if spec]
            if not matched and (spec := match_table(file.stem)):
                matched = [Source(spec.name, file, sheets[0])] if sheets else []
            sources.extend(matched)
        elif spec := match_table(file.stem):
            sources.append(Source(spec.name, file))
    if not sources:
        raise BadInputError(
            "找不到报表：文件名或工作表名应为 组织/organizations、会议/meetings、"
            "整改/rectifications 或 考核/assessments",
            file=str(path),
        )
    return sources


def read_source(source: Source) -> RawTable:
    """Read one table's cells, unparsed; refuse unreadable files with BadInputError."""
    path = source.path
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"无法读取（{exc.strerror}）", file=path.name) from exc
    checksum = hashlib.sha256(data + source.sheet.encode()).hexdigest()
    suffix = path.suffix.lower()
    if not data.strip():
        raise BadInputError("文件是空的", file=path.name, sheet=source.sheet)
    if _is_workbook(path):
        rows = _read_sheet(source)
    elif suffix == ".csv":
        rows = _read_csv(data, source)
    else:
        rows = _read_json(data, source)
    # JSON rows are counted from the first object; sheets and CSV by their line in the file.
    first = 0 if suffix == ".json" else 1
    numbered = [(n, r) for n, r in enumerate(rows, start=first) if any(_filled(v) for v in r)]
    if not numbered:
        raise BadInputError("表中没有数据", file=path.name, sheet=source.sheet)
    return RawTable(source, [r for _, r in numbered], [n for n, _ in numbered], checksum)


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _read_sheet(source: Source) -> list[list[Any]]:
    _check_workbook(source.path)
    try:
        workbook = CalamineWorkbook.from_path(str(source.path))
        sheet = workbook.get_sheet_by_name(source.sheet)
        # skip_empty_area=False keeps row 1 at index 0, so row numbers match Excel's.
        return [list(r) for r in sheet.to_python(skip_empty_area=False)]
    except Exception as exc:
        raise BadInputError(f"无法读取（{exc}）", file=source.path.name,
                            sheet=source.sheet) from exc


def decode_text(data: bytes, filename: str) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), then GB18030, then a detected charset."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    guess = from_bytes(data).best()
    if guess is None:
        raise BadInputError("不是可识别编码的文本（应为 UTF-8 或 GB18030）", file=filename)
    return str(guess)


def _read_csv(data: bytes, source: Source) -> list[list[Any]]:
    text = decode_text(data, source.path.name).replace("\x00", "")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_json(data: bytes, source: Source) -> list[list[Any]]:
    try:
        payload = json.loads(decode_text(data, source.path.name))
    except json.JSONDecodeError as exc:
        raise BadInputError(f"不是有效的 JSON（第{exc.lineno}行：{exc.msg}）",
                            file=source.path.name) from exc
    if isinstance(payload, dict) and isinstance(payload.get("rows"), list):
        payload = payload["rows"]
    if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
        raise BadInputError("应为由各行对象组成的 JSON 列表", file=source.path.name)
    headers: list[str] = list(dict.fromkeys(k for row in payload for k in row))
    return [headers, *([row.get(h) for h in headers] for row in payload)]
