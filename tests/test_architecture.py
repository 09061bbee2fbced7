"""The layers are enforced by a machine: import-linter passes on the tree and fails on an
upward import, as `make lint` (and so CI) runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first, so the copy (not the installed package) is the one analysed
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / ".importlinter"),
                           "--no-cache"], cwd=package_parent, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_layers_hold_on_the_tree(tmp_path):
    shutil.copytree(ROOT / "dutyflow", tmp_path / "dutyflow", symlinks=False)
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_fails_the_lint(tmp_path):
    shutil.copytree(ROOT / "dutyflow", tmp_path / "dutyflow", symlinks=False)
    periods = tmp_path / "dutyflow" / "core" / "periods.py"
    periods.write_text(periods.read_text(encoding="utf-8")
                       + "\nfrom dutyflow.models.db import session_scope  # noqa\n",
                       encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "dutyflow.core.periods -> dutyflow.models.db" in result.stdout
