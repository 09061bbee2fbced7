"""The README's walk-through runs as written on the database `make demo` builds, and what the
README says the demo prints is what the commands print.

The demo is built in-process, as the Makefile's `demo` target builds it, in a folder laid out
like the checkout (`demo-run/` beside `samples/` and `rules/`). Then every command of the
walk-through's `sh` blocks runs in the README's order from `demo-run/`, and the figures the
README quotes (its transcripts, the comments' counts, lines and ids) are compared with what
the commands printed. No figure the README quotes is written down here: each is read from
the README, so the test fails when the README and the program disagree.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.settings import reload_settings
from dutyflow.models.db import dispose_engines

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
WALK_THROUGH = ("The cycle, by hand", "After issue: replies, acceptance, return (闭环)",
                "Monthly scores")
SET_UP = "Set up and run"
ENTER_DEMO = ". .venv/bin/activate && cd demo-run"
REFUSED = 2  # the exit code of a refusal (a known error)
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10}
runner = CliRunner()
# the charts' PNG without a CJK font (the SVG is unaffected; the charts' own tests say so)
pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font")


# ---- reading the README and the Makefile ---------------------------------------------------

def readme_sections() -> dict[str, str]:
    """Each `## ` section's text by its heading."""
    parts = re.split(r"^## (.+)$", README.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def section(name: str) -> str:
    """The section headed `name`, or `name (…)`."""
    found = [body for heading, body in readme_sections().items()
             if heading == name or heading.startswith(f"{name} (")]
    assert len(found) == 1, f"the README has no section {name!r}"
    return found[0]


def fenced_blocks(text: str, language: str) -> list[str]:
    return [body for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
            if lang == language]


@dataclass
class Command:
    """One command of a walk-through block, with its comment (continued lines joined)."""

    text: str
    comment: str = ""

    @property
    def as_run(self) -> str:
        """Optional parts (`[--json]`) left out."""
        return re.sub(r"\s*\[[^\]]*\]", "", self.text)

    @property
    def in_full(self) -> str | None:
        """Every optional part put in, when there are any."""
        return re.sub(r"\[([^\]]*)\]", r"\1", self.text) if "[" in self.text else None


def split_comment(line: str) -> tuple[str, str]:
    """A shell line's code and its comment: a `#` outside quotes, after a blank."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def block_commands(block: str) -> list[Command]:
    """The commands of an `sh` block: backslash continuations joined, a line that is only a
    comment continues the comment of the command above it."""
    commands: list[Command] = []
    pending: Command | None = None
    for line in block.splitlines():
        code, comment = split_comment(line)
        if not code.strip():
            if comment:
                (pending or commands[-1]).comment += " " + comment
            continue
        current = pending or Command("")
        current.text = f"{current.text} {code.strip()}".strip()
        current.comment = f"{current.comment} {comment}".strip()
        if current.text.endswith("\\"):
            current.text = current.text[:-1].rstrip()
            pending = current
            continue
        pending = None
        commands.append(current)
    return commands


@dataclass
class Transcript:
    """A README block of `$ command` lines, each followed by what it prints."""

    commands: list[tuple[str, list[str]]]


def transcripts(text: str) -> list[Transcript]:
    found = []
    for block in fenced_blocks(text, ""):
        if not block.startswith("$ "):
            continue
        commands: list[tuple[str, list[str]]] = []
        for line in block.rstrip("\n").splitlines():
            if line.startswith("$ "):
                commands.append((line[2:].strip(), []))
            else:
                commands[-1][1].append(line.rstrip())
        found.append(Transcript(commands))
    return found


def make_variable(name: str) -> list[str]:
    """A `NAME := words` variable of the Makefile, as its words."""
    match = re.search(rf"^{name}\s*:=\s*(.*)$", MAKEFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"the Makefile has no {name}"
    return match.group(1).split()


# ---- running commands as the README's reader does -------------------------------------------

@dataclass
class Step:
    """A command of the walk-through and what it did."""

    section: str
    command: Command
    expected_exit: int
    result: Result | None = None
    text: str = ""  # what was run (a refused variant's text differs from the README's)
    also: list[Step] = field(default_factory=list)


def dutyflow(args: list[str]) -> Result:
    return runner.invoke(app, args)


def invoke(text: str, cwd: Path) -> Result:
    """A `dutyflow …` line of the README, run through typer's runner (files it names for
    `--file` are made first, as the reader would bring them)."""
    words = shlex.split(text)
    assert words[0] == "dutyflow", f"the test cannot run {text!r}"
    for option, value in zip(words, words[1:], strict=False):
        if option == "--file" and not (cwd / value).exists():
            (cwd / value).write_bytes(f"{value}: 会议记录扫描件\n".encode())
    return dutyflow(words[1:])


def option_value(text: str, option: str) -> str:
    words = shlex.split(text)
    return words[words.index(option) + 1]


def table_rows(stdout: str) -> list[list[str]]:
    """A printed table's rows as lists of cells (piped, cells are separated by two or more
    spaces; an empty cell vanishes): the lines below the rule up to the first that is not a
    row (the summary line)."""
    lines = stdout.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    found = []
    for line in lines[rule + 1:]:
        if not re.search(r"\S\s{2,}\S", line):
            break
        found.append(re.split(r"\s{2,}", line.strip()))
    return found


def without_option(text: str, option: str) -> str:
    """The command without `option` and its value."""
    words = shlex.split(text)
    at = words.index(option)
    return shlex.join(words[:at] + words[at + 2:])


def piped(text: str, cwd: Path) -> list[str]:
    """A transcript's command, `| head -N` applied, as lines of what it prints on stdout."""
    command, *pipes = (part.strip() for part in text.split(" | "))
    lines = invoke(command, cwd).stdout.splitlines()
    for pipe in pipes:
        head = re.fullmatch(r"head -(\d+)", pipe)
        assert head, f"the test cannot run the pipe {pipe!r}"
        lines = lines[:int(head.group(1))]
    return [line.rstrip() for line in lines]


def build_demo() -> dict[str, Result]:
    """What `make demo` does, in its order and with its dates (see the Makefile's `demo`)."""
    printed: dict[str, Result] = {}

    def demo(*args: str) -> Result:
        result = dutyflow(list(args))
        assert result.exit_code == 0, f"make demo: dutyflow {' '.join(args)}\n{result.output}"
        printed[" ".join(args)] = result
        return result

    months = [pair.split(":") for pair in make_variable("DEMO_MONTHS")]
    for month, following in months:
        demo("run", "--input", f"../samples/{month}-党建报表.xlsx", "--period", month,
             "--on", f"{following}-02")
        if (month, following) != tuple(months[-1]):
            demo("review", "--all-office", month, "--approve", "--reviewer", "张主任")
            demo("issue", "--period", month, "--on", f"{following}-09")
        if month == months[0][0]:
            for case in make_variable("DEMO_ANSWERED"):
                demo("reply", f"{month}-{case}", "--received", f"{following}-15", "--note", "已整改")
                demo("accept", f"{month}-{case}", "--reviewer", "刘审核")
    demo("cases", "--period", months[0][0])
    demo("actions", "--period", months[-1][0])
    demo("ranking", "--period", "2026-Q3", "--draft", "--on", "2026-10-12")
    demo("review", "ranking-2026-Q3", "--approve", "--reviewer", "张主任")
    demo("issue", "--period", "2026-Q3", "--on", "2026-10-15")
    demo("ranking", "--period", "2026-Q4", "--draft", "--on", "2026-12-02")
    demo("year", "--period", "2026")
    return printed


def expected_exit(command: Command) -> int:
    """Refused where the README's comment says this command is refused."""
    said = re.sub(r"refused without --[\w-]+", "", command.comment)
    return REFUSED if re.search(r"\brefused\b", said) else 0


def walk(cwd: Path) -> tuple[list[Step], dict[str, list[str]]]:
    """Every command of the walk-through's sections in the README's order, and what each
    transcript's commands printed: a transcript that starts with one of the walk-through's
    commands shows that command's output, and its other commands run right after it."""
    steps: list[Step] = []
    printed: dict[str, list[str]] = {}
    for heading in WALK_THROUGH:
        body = section(heading)
        shown = {t.commands[0][0]: t for t in transcripts(body)}
        for block in fenced_blocks(body, "sh"):
            for command in block_commands(block):
                if command.text == ENTER_DEMO:
                    continue
                step = Step(heading, command, expected_exit(command), text=command.as_run)
                steps.append(step)
                words = shlex.split(command.as_run)
                if words[0] == "cp":
                    shutil.copy(cwd / words[1], cwd / words[2])
                    continue
                refused_without = re.search(r"refused without (--[\w-]+)", command.comment)
                if refused_without:  # the refusal the comment names, then the command itself
                    variant = without_option(command.as_run, refused_without.group(1))
                    step.also.append(Step(heading, command, REFUSED, invoke(variant, cwd), variant))
                step.result = invoke(command.as_run, cwd)
                if command.in_full:
                    step.also.append(Step(heading, command, 0, invoke(command.in_full, cwd),
                                          command.in_full))
                if command.as_run in shown:
                    first, *others = shown[command.as_run].commands
                    printed[first[0]] = [line.rstrip() for line in step.result.stdout.splitlines()]
                    for text, _ in others:
                        printed[text] = piped(text, cwd)
    return steps, printed


@dataclass
class Walked:
    demo: dict[str, Result]  # what `make demo` printed, by command (without `dutyflow`)
    steps: list[Step]
    printed: dict[str, list[str]]  # by a transcript's command: what it printed, as it ran
    demo_run: Path

    def demo_printed(self, command: str) -> str:
        """What `make demo`'s `dutyflow <command> …` printed."""
        return next(r.stdout for c, r in self.demo.items() if c.startswith(f"{command} "))

    def demo_periods(self, command: str) -> list[str]:
        """The periods of `make demo`'s `dutyflow <command> --period …` lines."""
        return [option_value(c, "--period") for c in self.demo if c.startswith(f"{command} ")]

    def step(self, prefix: str) -> Step:
        """The walk-through's first command that starts with `prefix` (after `dutyflow `)."""
        found = [s for s in self.steps if s.command.text.startswith(f"dutyflow {prefix}")]
        assert found, f"the walk-through has no `dutyflow {prefix}…`"
        return found[0]


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walked]:
    """The demo's database, then the README's walk-through run on it from `demo-run/`."""
    from prefect.settings import PREFECT_API_URL

    checkout = tmp_path_factory.mktemp("checkout")
    for folder in ("samples", "rules"):
        (checkout / folder).symlink_to(ROOT / folder, target_is_directory=True)
    demo_run = checkout / "demo-run"
    demo_run.mkdir()
    shutil.copy(ROOT / "samples" / "office.toml", demo_run / "office.toml")  # as `make demo` does
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(demo_run)
        patch.delenv("DUTYFLOW_OFFICE_FILE")  # the office.toml of the working folder
        patch.setenv("DUTYFLOW_DATABASE_URL", f"sqlite:///{demo_run / 'dutyflow.db'}")
        patch.setenv("DUTYFLOW_OUTPUT_DIR", str(demo_run / "out"))
        patch.setenv("DUTYFLOW_PDF_VIEWS", "false")
        # the session's test server, so that no command starts a temporary one of its own
        patch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
        reload_settings()
        try:
            demo = build_demo()
            steps, printed = walk(demo_run)
            yield Walked(demo, steps, printed, demo_run)
        finally:
            dispose_engines()
    reload_settings()


# ---- the tests ------------------------------------------------------------------------------

def test_every_command_of_the_walk_through_runs_as_written(walked):
    wrong = []
    for step in walked.steps:
        for ran in [step, *step.also]:
            if ran.result is not None and ran.result.exit_code != ran.expected_exit:
                wrong.append(f"[{ran.section}] {ran.text}\n  exit {ran.result.exit_code}, the README "
                             f"expects {ran.expected_exit}: {ran.result.output.strip()[-600:]}")
    assert not wrong, "\n".join(wrong)


def test_the_transcripts_show_what_the_commands_print(walked):
    for heading in WALK_THROUGH:
        for transcript in transcripts(section(heading)):
            for text, shown in transcript.commands:
                assert text in walked.printed, f"the walk-through never runs {text!r}"
                printed = "\n".join(walked.printed[text])
                assert printed == "\n".join(shown), f"$ {text} printed:\n{printed}"


def test_explain_score_prints_the_lines_its_comment_quotes(walked):
    step = walked.step("explain-score")
    quoted = re.search(r"line by line:\s*(.+)$", step.command.comment)
    assert quoted, f"the README's comment quotes no lines: {step.command.comment!r}"
    wanted = [part.replace("…", "").strip() for part in quoted.group(1).split(", ")]
    lines = iter(step.result.stdout.splitlines())
    for start in filter(None, wanted):  # in this order, each the start of a line
        assert any(line.startswith(start) for line in lines), \
            f"{start!r} (README) is not a line, in this order, of:\n{step.result.stdout}"


def test_the_demo_is_what_the_readme_says_it_is(walked):
    said = " ".join(section(SET_UP).split())
    branches = re.search(r"\((\d+) branches", said)
    assert branches, "the README no longer says how many branches the samples have"
    scored = table_rows(walked.step("scores").result.stdout)
    assert sum(row[0].endswith("党支部") for row in scored) == int(branches.group(1))

    answered = re.search(r"(\w+) of August's answers come in time and are accepted", said)
    assert answered, "the README no longer says how many of August's answers are accepted"
    august = table_rows(walked.demo_printed("cases"))
    closed = [row for row in august if "已销号" in row]
    assert len(closed) == NUMBERS[answered.group(1)]
    # "the rest are chased": overdue, each with its 催办's number (the last column)
    assert all("反馈已逾期" in row and "函〔" in row[-1] for row in august if row not in closed)

    assert "one per organization, with proposals of 通报批评" in said
    november = table_rows(walked.demo_printed("actions"))
    organizations = [row[1] for row in november]
    assert len(organizations) == len(set(organizations))
    assert any(row[2] == "通报批评" and row[-1] == "提议，待工委会议决定" for row in november)


def test_the_documents_a_comment_names_are_there(walked):
    for at, step in enumerate(walked.steps):
        for named in re.findall(r"\b(?:criticism|chase|ranking|circular)-\d{4}[\w-]*",
                                step.command.comment):
            printed = "".join(s.result.stdout for s in walked.steps[at:] if s.result is not None)
            assert named in printed, f"{step.command.text}: its comment names {named}, never listed"


def test_the_columns_a_comment_names_are_printed(walked):
    for step in walked.steps:
        if re.fullmatch(r"[\u4e00-\u9fff]+(?:, [\u4e00-\u9fff]+)+", step.command.comment):
            header = re.split(r"\s{2,}", step.result.stdout.splitlines()[0].strip())
            assert set(step.command.comment.split(", ")) <= set(header), step.command.text


def test_issue_numbers_every_document_the_walk_through_approved(walked):
    issue = walked.step("issue")
    approved = {row[0] for step in walked.steps[:walked.steps.index(issue)]
                if step.command.text.startswith("dutyflow review") and step.result is not None
                for row in table_rows(step.result.stdout) if "已批准，待印发" in row}
    numbered = {row[1] for row in table_rows(issue.result.stdout) if "号" in row[0]}
    assert approved and approved <= numbered


def test_the_audit_shows_the_committee_decision_the_walk_through_gave(walked):
    decided = [s for s in walked.steps if "--decision" in s.command.text]
    assert decided
    for step in decided:
        assert option_value(step.command.as_run, "--decision") in walked.step("audit").result.stdout


def test_scores_list_units_first_then_branches_highest_first(walked):
    scored = table_rows(walked.step("scores").result.stdout)
    groups = [row[0] for row in scored]
    assert groups == sorted(groups, key=lambda group: group != "直属党组织")
    for group in set(groups):
        points = [float(row[3]) for row in scored if row[0] == group]
        assert points == sorted(points, reverse=True)


def test_the_output_folders_the_readme_names_are_there(walked):
    reply = next(s for s in walked.steps
                 if s.command.text.startswith("dutyflow reply") and "--file" in s.command.text)
    case = shlex.split(reply.command.as_run)[2]
    evidence = option_value(reply.command.as_run, "--file")
    quarter = next(period for period in walked.demo_periods("issue") if "Q" in period)
    values = {"case": case, "period": case[:7], "quarter": quarter,
              "year": walked.demo_periods("year")[0]}
    named = re.findall(r"`(out/[^`]*)`(?: \(`([^`]*)`)?", README.read_text(encoding="utf-8"))
    assert named
    for folder, first_file in named:
        if "月中提醒" in folder:  # made by `dutyflow warn`, which the demo does not run
            continue
        path = walked.demo_run / re.sub(r"<(\w+)>", lambda m: values[m.group(1)], folder + first_file)
        assert path.exists(), f"README `{folder}`: no {path.relative_to(walked.demo_run)}"
    # the reply's evidence is kept in the folder the README names, under its content's hash
    replies = next(folder for folder, _ in named if "/replies/" in folder)
    kept = walked.demo_run / re.sub(r"<(\w+)>", lambda m: values[m.group(1)], replies)
    digest = hashlib.sha256((walked.demo_run / evidence).read_bytes()).hexdigest()
    assert [p.name for p in kept.iterdir()] == [f"{digest[:16]}-{evidence}"]
