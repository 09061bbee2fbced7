"""Files written whole or not at all."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def replace_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so a reader never sees half a file. The temporary name is the
    writer's own, so two processes (or threads) writing the same file never write into each
    other's."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
