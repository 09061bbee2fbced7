"""A zip package assembled from precompiled entries: the parts every document shares are laid
out once (header, CRC, bytes) and copied into each package; only the parts that differ are
deflated and described per document. `zipfile` spends longer describing a .docx's eleven
parts than deflating its body; the bytes here are what it would write (tests read them back
with it), the same for the same parts (fixed times, fixed order)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

STORED, DEFLATED = 0, 8
DOS_TIME, DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00, zip's earliest
VERSION = 20  # 2.0: deflate
LOCAL = struct.Struct("<4s2B4HL2L2H")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
END = struct.Struct("<4s4H2LH")


@dataclass(frozen=True)
class Entry:
    """One part, ready to copy: its local header and data, and what the directory says."""

    name: bytes
    method: int
    crc: int
    size: int  # compressed
    raw_size: int
    local: bytes  # header + name + data

    def directory(self, offset: int) -> bytes:
        return CENTRAL.pack(b"PK\x01\x02", VERSION, 3, VERSION, 0, 0, self.method, DOS_TIME,
                            DOS_DATE, self.crc, self.size, self.raw_size, len(self.name), 0,
                            0, 0, 0, 0, offset) + self.name


def entry(name: str, content: str, *, deflate: bool = False, level: int = 1) -> Entry:
    raw = content.encode("utf-8")
    if deflate:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        data = compressor.compress(raw) + compressor.flush()
    else:
        data = raw
    method = DEFLATED if deflate else STORED
    encoded, crc = name.encode("ascii"), zlib.crc32(raw)
    header = LOCAL.pack(b"PK\x03\x04", VERSION, 0, 0, method, DOS_TIME, DOS_DATE, crc,
                        len(data), len(raw), len(encoded), 0)
    return Entry(encoded, method, crc, len(data), len(raw), header + encoded + data)


def package(entries: Iterable[Entry]) -> bytes:
    """The zip of `entries`, in order."""
    local, directory, offset = [], [], 0
    for part in entries:
        local.append(part.local)
        directory.append(part.directory(offset))
        offset += len(part.local)
    listing = b"".join(directory)
    end = END.pack(b"PK\x05\x06", 0, 0, len(directory), len(directory), len(listing), offset, 0)
    return b"".join(local) + listing + end
