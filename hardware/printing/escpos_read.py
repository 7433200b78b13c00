"""ESC/POS bytes -> Document: reads back the subset escpos.py writes (and skips what it does not know).

Used by the simulated printer, so that its text and PNG show what a printer would make of the bytes — a
wrong code page or a broken QR command shows there, not only on a real printer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hardware.printing.layout import QR, Block, Cut, Document, Drawer, Feed, Text

_EC = {0x30: "L", 0x31: "M", 0x32: "Q", 0x33: "H"}
_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


@dataclass
class ReadBack:
    document: Document
    unknown: list[bytes] = field(default_factory=list)  # commands not understood
    chinese_mode: bool = False


def read_escpos(data: bytes, *, columns: int = 48, encoding: str = "gb18030") -> ReadBack:
    blocks: list[Block] = []
    unknown: list[bytes] = []
    state = {"align": "left", "bold": False, "size": 1, "chinese": False}
    qr_state = {"module": 3, "ec": "L", "data": b""}
    line = bytearray()
    after_qr = False  # the LF that follows a printed QR ends the QR's line, not an empty text line
    i, n = 0, len(data)

    def text_block() -> None:
        codec = encoding if state["chinese"] else "cp437"
        blocks.append(Text(bytes(line).decode(codec, errors="replace"), state["align"], state["bold"], state["size"]))
        line.clear()

    while i < n:
        b = data[i]
        if b == 0x0A:
            if not (after_qr and not line):
                text_block()
            after_qr = False
            i += 1
            continue
        after_qr = False
        if b == 0x1B and i + 1 < n:
            c = data[i + 1]
            if c == 0x40:
                state.update(align="left", bold=False, size=1)
                i += 2
            elif c == 0x61:
                state["align"] = _ALIGN.get(data[i + 2], "left")
                i += 3
            elif c == 0x45:
                state["bold"] = bool(data[i + 2] & 1)
                i += 3
            elif c == 0x64:
                blocks.append(Feed(data[i + 2]))
                i += 3
            elif c == 0x70:
                blocks.append(Drawer(data[i + 2] & 1))
                i += 5
            elif c == 0x74:
                i += 3
            else:
                unknown.append(data[i:i + 2])
                i += 2
        elif b == 0x1D and i + 1 < n:
            c = data[i + 1]
            if c == 0x21:
                state["size"] = 2 if data[i + 2] & 0x0F else 1
                i += 3
            elif c == 0x56:
                m = data[i + 2]
                blocks.append(Cut(partial=m in (0x01, 0x31, 0x42)))
                i += 4 if m in (0x41, 0x42) else 3
            elif c == 0x28 and data[i + 2] == 0x6B:
                length = data[i + 3] | data[i + 4] << 8
                body = data[i + 5:i + 5 + length]
                fn = body[1] if len(body) > 1 else 0
                if fn == 0x43:
                    qr_state["module"] = body[2]
                elif fn == 0x45:
                    qr_state["ec"] = _EC.get(body[2], "M")
                elif fn == 0x50:
                    qr_state["data"] = bytes(body[3:])
                elif fn == 0x51:
                    blocks.append(QR(qr_state["data"].decode("utf-8", errors="replace"), qr_state["module"], qr_state["ec"]))
                    after_qr = True
                i += 5 + length
                continue
            else:
                unknown.append(data[i:i + 2])
                i += 2
        elif b == 0x1C and i + 1 < n:
            c = data[i + 1]
            if c == 0x26:
                state["chinese"] = True
                i += 2
            elif c == 0x2E:
                state["chinese"] = False
                i += 2
            elif c == 0x21:
                i += 3
            else:
                unknown.append(data[i:i + 2])
                i += 2
        else:
            line.append(b)
            i += 1
    if line:
        text_block()
    return ReadBack(Document(tuple(blocks), columns), unknown, state["chinese"])
