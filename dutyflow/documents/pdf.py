"""PDF views of issued documents, printed by LibreOffice headless when it is installed.

The .docx is the document; the PDF is a view for reading and archiving. Without LibreOffice
dutyflow says so once and goes on: issuing never fails for want of a view. LibreOffice runs with
the project's fontconfig file (documents/fonts), which prints the standard's 仿宋, 小标宋, 黑体
and 楷体 in free fonts of the same style rather than in whatever CJK font it finds first.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from dutyflow.documents.fonts import office_environment

log = logging.getLogger(__name__)
BINARIES = ("libreoffice", "soffice")


@functools.cache
def _office() -> str | None:
    found = next((path for name in BINARIES if (path := shutil.which(name))), None)
    if found is None:
        log.warning("LibreOffice is not installed: issued documents get no PDF view "
                    "(apt-get install libreoffice-writer-nogui texlive-lang-chinese)")
    return found


def print_pdfs(documents: list[Path], *, timeout: float = 300) -> list[Path]:
    """Write `<name>.pdf` beside each .docx (one LibreOffice run for all); the PDFs written."""
    office = _office()
    if office is None or not documents:
        return []
    written = []
    by_folder: dict[Path, list[Path]] = {}
    for path in documents:
        by_folder.setdefault(path.parent, []).append(path)
    # a private profile: a second LibreOffice (the user's, another run) never blocks this one
    with tempfile.TemporaryDirectory(prefix="dutyflow-office-") as profile:
        for folder, paths in by_folder.items():
            done = subprocess.run(
                [office, f"-env:UserInstallation=file://{profile}", "--headless",
                 "--convert-to", "pdf", "--outdir", str(folder), *map(str, paths)],
                capture_output=True, text=True, timeout=timeout, check=False,
                env=office_environment())
            for path in paths:
                pdf = path.with_suffix(".pdf")
                if pdf.is_file():
                    written.append(pdf)
                else:
                    log.warning("LibreOffice did not print %s: %s", path.name,
                                (done.stderr or done.stdout).strip()[-300:])
    return written
