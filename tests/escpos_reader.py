"""An ESC/POS reader for tests: what a printer would put on paper from a job's bytes.

It follows the printer's state as a printer does (the code table set by ESC t, Chinese mode
between FS & and FS .) and refuses any command it does not know, so a test never passes over
bytes it did not understand. Text comes back as lines; raster pictures (GS v 0) as images.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

ESC, GS, FS, LF = 0x1B, 0x1D, 0x1C, 0x0A
# ESC t n: the code tables python-escpos selects, as Python codecs.
CODE_TABLES = {0: "cp437", 2: "cp850", 16: "cp1252", 17: "cp866", 19: "cp858"}
# Commands with a fixed number of parameter bytes after ESC x / GS x.
ESC_ARGS = {
    0x40: 0,
    0x21: 1,
    0x45: 1,
    0x4D: 1,
    0x61: 1,
    0x74: 1,
    0x64: 1,
    0x2D: 1,
    0x47: 1,
    0x7B: 1,
    0x56: 1,
    0x4A: 1,
    0x32: 0,
    0x33: 1,
    0x70: 3,
}
GS_ARGS = {0x21: 1, 0x62: 1, 0x42: 1, 0x68: 1, 0x77: 1, 0x48: 1, 0x66: 1}


class UnknownCommand(ValueError):
    pass


@dataclass
class Paper:
    lines: list[str] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    chinese_mode_used: bool = False


def read(job: bytes) -> Paper:
    paper = Paper()
    table, chinese = "cp437", False
    line = bytearray()
    segments: list[str] = []

    def flush_text() -> None:
        if line:
            segments.append(line.decode("gb18030" if chinese else table))
            line.clear()

    i = 0
    while i < len(job):
        byte = job[i]
        if byte == LF:
            flush_text()
            paper.lines.append("".join(segments))
            segments.clear()
            i += 1
        elif byte == ESC:
            flush_text()
            command = job[i + 1]
            if command not in ESC_ARGS:
                raise UnknownCommand(f"ESC {command:#x} at {i}")
            if command == 0x74:
                table = CODE_TABLES[job[i + 2]]
            i += 2 + ESC_ARGS[command]
        elif byte == GS:
            flush_text()
            command = job[i + 1]
            if command == 0x56:  # GS V m [n]: cut
                i += 4 if job[i + 2] in (0x41, 0x42, 65, 66) else 3
            elif command == 0x76:  # GS v 0 m xL xH yL yH: raster bit image
                width_bytes = job[i + 4] + 256 * job[i + 5]
                height = job[i + 6] + 256 * job[i + 7]
                start = i + 8
                data = job[start : start + width_bytes * height]
                picture = Image.frombytes("1", (width_bytes * 8, height), bytes(data))
                # ESC/POS: a set bit is a black dot; PIL's "1": a set bit is white.
                paper.images.append(Image.eval(picture.convert("L"), lambda v: 255 - v))
                i = start + width_bytes * height
            elif command == 0x28 and job[i + 2] == 0x6B:  # GS ( k: 2D code
                i += 5 + job[i + 3] + 256 * job[i + 4]
            elif command in GS_ARGS:
                i += 2 + GS_ARGS[command]
            else:
                raise UnknownCommand(f"GS {command:#x} at {i}")
        elif byte == FS:
            flush_text()
            command = job[i + 1]
            if command == 0x26:
                chinese, paper.chinese_mode_used = True, True
            elif command == 0x2E:
                chinese = False
            else:
                raise UnknownCommand(f"FS {command:#x} at {i}")
            i += 2
        elif byte < 0x20:
            raise UnknownCommand(f"control byte {byte:#x} at {i}")
        else:
            line.append(byte)
            i += 1
    flush_text()
    if segments:
        paper.lines.append("".join(segments))
    return paper
