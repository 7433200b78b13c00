"""Document -> ESC/POS bytes. Small on purpose: the commands receipts need, byte-exact and tested as such.

Commands (Epson ESC/POS; Chinese printers — Xprinter, GPrinter, Sunmi, Epson TM-T82/T88 CN — the same):

    ESC @            1B 40               initialise
    ESC p m t1 t2    1B 70 m 19 FA       drawer kick, pin m (0 = pin 2, 1 = pin 5), 50 ms on, 500 ms off
    FS &             1C 26               Chinese character mode on: bytes >= 0x80 are GB2312/GBK/GB18030 pairs
    FS .             1C 2E               Chinese character mode off (for "ascii" printers)
    ESC t n          1B 74 00            code table PC437 (ascii printers; Chinese becomes "?")
    ESC a n          1B 61 n             align 0 left, 1 centre, 2 right
    ESC E n          1B 45 n             bold on/off
    GS ! n           1D 21 n             ASCII size: 0x00 normal, 0x11 double width and height
    FS ! n           1C 21 n             Chinese size: 0x00 normal, 0x0C double width and height
    LF               0A                  print the line
    ESC d n          1B 64 n             feed n lines
    GS ( k  (QR)     1D 28 6B pL pH 31 fn ...
        fn 41 (165)  model 2             1D 28 6B 04 00 31 41 32 00
        fn 43 (167)  module size n dots  1D 28 6B 03 00 31 43 n
        fn 45 (169)  error correction    1D 28 6B 03 00 31 45 n   (30 L, 31 M, 32 Q, 33 H)
        fn 50 (180)  store data          1D 28 6B pL pH 31 50 30 d1..dk   (pL + 256 pH = k + 3)
        fn 51 (181)  print               1D 28 6B 03 00 31 51 30
    GS V m n         1D 56 42 00         feed to the cutter and cut (m 42 partial, 41 full)

Style commands are sent only when the style changes, so the output for a document is one exact byte string.
Text encoding: "gb18030" (4-byte sequences for characters outside GBK, which GB18030-font printers print),
"gbk" (characters outside GBK become "?"), "ascii" (everything non-ASCII becomes "?").
"""
from __future__ import annotations

from hardware.printing.layout import QR, Block, Cut, Document, Drawer, Feed, Text

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
CODE_TABLE_PC437 = ESC + b"t\x00"
_ALIGN = {"left": 0, "center": 1, "right": 2}
_EC = {"L": 0x30, "M": 0x31, "Q": 0x32, "H": 0x33}


def drawer_kick(pin: int = 0, on_ms: int = 50, off_ms: int = 500) -> bytes:
    """ESC p m t1 t2: pulse the drawer solenoid (t1/t2 in 2 ms units)."""
    return ESC + b"p" + bytes([pin & 1, min(255, on_ms // 2), min(255, off_ms // 2)])


def cut(partial: bool = True) -> bytes:
    return GS + b"V" + bytes([0x42 if partial else 0x41, 0])


def feed(lines: int) -> bytes:
    return ESC + b"d" + bytes([max(0, min(255, lines))])


def align(where: str) -> bytes:
    return ESC + b"a" + bytes([_ALIGN[where]])


def bold(on: bool) -> bytes:
    return ESC + b"E" + bytes([1 if on else 0])


def size(n: int, chinese: bool) -> bytes:
    ascii_size = GS + b"!" + bytes([0x11 if n == 2 else 0x00])
    return ascii_size + (FS + b"!" + bytes([0x0C if n == 2 else 0x00]) if chinese else b"")


def qr(data: str, module: int = 6, ec: str = "M", encoding: str = "utf-8") -> bytes:
    """The five GS ( k functions: model 2, module size, error correction, store, print."""
    payload = data.encode(encoding)
    if len(payload) > 7089:
        raise ValueError("QR data too long for GS ( k")
    k = len(payload) + 3
    return (GS + b"(k" + b"\x04\x00" + b"1A2\x00"
            + GS + b"(k" + b"\x03\x00" + b"1C" + bytes([max(1, min(16, module))])
            + GS + b"(k" + b"\x03\x00" + b"1E" + bytes([_EC[ec]])
            + GS + b"(k" + bytes([k & 0xFF, k >> 8]) + b"1P0" + payload
            + GS + b"(k" + b"\x03\x00" + b"1Q0")


def encode_text(text: str, encoding: str) -> bytes:
    if encoding == "gb18030":
        return text.encode("gb18030", errors="replace")
    if encoding == "gbk":
        return text.encode("gbk", errors="replace")
    return text.encode("ascii", errors="replace")


class EscPosEncoder:
    def __init__(self, encoding: str = "gb18030", *, qr_native: bool = True) -> None:
        if encoding not in ("gb18030", "gbk", "ascii"):
            raise ValueError(f"unknown printer encoding {encoding!r}")
        self.encoding = encoding
        self.chinese = encoding != "ascii"
        self.qr_native = qr_native

    def encode(self, document: Document) -> bytes:
        out = bytearray(INIT)
        out += CHINESE_ON if self.chinese else CHINESE_OFF + CODE_TABLE_PC437
        state = {"align": "left", "bold": False, "size": 1}
        for block in document.blocks:
            out += self._block(block, state)
        return bytes(out)

    def _block(self, block: Block, state: dict) -> bytes:
        if isinstance(block, Drawer):
            return drawer_kick(block.pin)
        if isinstance(block, Feed):
            return feed(block.lines)
        if isinstance(block, Cut):
            return cut(block.partial)
        if isinstance(block, QR):
            if not self.qr_native:
                return self._style(state, "center", False, 1) + encode_text(block.data, self.encoding) + LF
            return self._style(state, "center", False, 1) + qr(block.data, block.module, block.ec) + LF
        if isinstance(block, Text):
            return self._style(state, block.align, block.bold, block.size) + encode_text(block.text, self.encoding) + LF
        raise TypeError(f"not a document block: {block!r}")

    def _style(self, state: dict, where: str, is_bold: bool, n: int) -> bytes:
        out = b""
        if state["align"] != where:
            out += align(where)
            state["align"] = where
        if state["bold"] != is_bold:
            out += bold(is_bold)
            state["bold"] = is_bold
        if state["size"] != n:
            out += size(n, self.chinese)
            state["size"] = n
        return out


def encode(document: Document, encoding: str = "gb18030", *, qr_native: bool = True) -> bytes:
    return EscPosEncoder(encoding, qr_native=qr_native).encode(document)
