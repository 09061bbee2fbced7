"""Errors a user can act on. Each renders as one line; the CLI maps them to exit codes."""

from __future__ import annotations


class DutyflowError(Exception):
    """Base for errors shown to the user as one line."""

    exit_code = 1


class BadInputError(DutyflowError):
    """The input cannot be read or lacks a required column: nothing is loaded (exit 2)."""

    exit_code = 2

    def __init__(self, message: str, *, file: str = "", sheet: str = "", column: str = "") -> None:
        self.file, self.sheet, self.column = file, sheet, column
        where = "，".join(
            part
            for part in (
                f"文件 {file}" if file else "",
                f"工作表 {sheet}" if sheet else "",
                f"列 {column}" if column else "",
            )
            if part
        )
        super().__init__(f"{where}：{message}" if where else message)


class BadPeriodError(DutyflowError):
    exit_code = 2
