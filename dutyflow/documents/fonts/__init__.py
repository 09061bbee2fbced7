"""The free fonts that stand in for GB/T 9704's font names when dutyflow prints.

`fonts.conf` beside this module is the one place the mapping lives: a fontconfig file that
LibreOffice reads (FONTCONFIG_FILE in the environment of its process, so nothing is installed
system-wide) and that matplotlib's charts read through `standard_family` and `font_files`.
"""

from __future__ import annotations

import functools
import logging
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
FONTCONFIG = Path(__file__).with_name("fonts.conf")
FONT_SUFFIXES = (".otf", ".ttf", ".ttc")


@dataclass(frozen=True)
class Substitute:
    family: str  # the free font's family, e.g. FandolFang
    bold: bool = False  # 小标宋 is a heavy Song: the free Song's bold face stands for it


@functools.cache
def _parsed() -> tuple[tuple[Path, ...], dict[str, Substitute]]:
    root = ET.parse(FONTCONFIG).getroot()
    folders = tuple(Path(d.text or "") for d in root.findall("dir"))
    mapping = {}
    for match in root.findall("match"):
        tested = match.findtext("test[@name='family']/string")
        bold = match.findtext("test[@name='style']/string") == "Bold"
        if match.get("target") == "pattern":  # a name looked up: printed in another family
            family = match.findtext("edit[@name='family']/string")
            if tested and family:
                mapping[tested] = Substitute(family)
        elif tested:  # a face given the standard's names as it is scanned
            for edit in match.findall("edit[@name='family']/string"):
                mapping[edit.text or ""] = Substitute(tested, bold)
    return folders, mapping


def substitutes() -> dict[str, Substitute]:
    """The standard's font names (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, ...) and the free
    font printed in their place."""
    return dict(_parsed()[1])


def standard_family(name: str) -> str:
    """The free family printed for one of the standard's font names (the name if unmapped)."""
    found = _parsed()[1].get(name)
    return found.family if found else name


def font_files() -> list[Path]:
    """The free fonts' files, as installed (none when the package is missing)."""
    return sorted(path for folder in _parsed()[0] if folder.is_dir()
                  for path in folder.iterdir() if path.suffix.lower() in FONT_SUFFIXES)


@functools.cache
def installed() -> bool:
    found = bool(font_files())
    if not found:
        log.warning("the fonts standing in for 仿宋/小标宋/黑体/楷体 are not installed (%s): "
                    "PDF views and charts print in a fallback font (apt-get install "
                    "texlive-lang-chinese)", ", ".join(str(d) for d in _parsed()[0]))
    return found


def office_environment() -> dict[str, str]:
    """The environment for a LibreOffice process: the system's fonts plus the aliases."""
    installed()
    return {**os.environ, "FONTCONFIG_FILE": str(FONTCONFIG)}
