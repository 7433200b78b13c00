"""Text of a PDF written by Qt (QPdfWriter): enough of PDF to read receipts back in tests.

Qt writes each font as a Type0 subset with a ToUnicode CMap and shows text as hex glyph ids (`<0001> Tj`);
this maps them back per font. Lines break at a vertical move or at the end of a text object.
"""
from __future__ import annotations

import re
import zlib
from pathlib import Path

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_TOKEN = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]+)>\s*Tj|(-?[\d.]+)\s+(-?[\d.]+)\s+Td|\b(BT|ET)\b")


def _stream(body: bytes) -> bytes | None:
    m = _STREAM.search(body)
    if not m:
        return None
    data = m.group(1)
    if b"/FlateDecode" in body[: m.start()]:
        try:
            return zlib.decompress(data)
        except zlib.error:
            return None
    return data


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for a, b, arr in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\[(.*?)\]", block, re.S):
            for g, dst in zip(range(int(a, 16), int(b, 16) + 1), re.findall(rb"<([0-9A-Fa-f]+)>", arr)):
                out[g] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
        plain = re.sub(rb"\[.*?\]", b"", block, flags=re.S)
        for a, b, c in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", plain):
            start = int(c, 16)
            for i, g in enumerate(range(int(a, 16), int(b, 16) + 1)):
                out[g] = chr(start + i)
    return out


def pdf_text(path: str | Path) -> str:
    raw = Path(path).read_bytes()
    objs = {int(n): body for n, body in _OBJ.findall(raw)}
    cmaps: dict[int, dict[int, str]] = {}

    def font_map(num: int) -> dict[int, str]:
        if num not in cmaps:
            ref = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", objs.get(num, b""))
            cmaps[num] = _cmap(_stream(objs.get(int(ref.group(1)), b"")) or b"") if ref else {}
        return cmaps[num]

    lines: list[str] = []
    for body in objs.values():
        if not re.search(rb"/Type\s*/Page\b", body):
            continue
        contents = re.search(rb"/Contents\s+(\d+)\s+0\s+R", body)
        resources = re.search(rb"/Resources\s+(\d+)\s+0\s+R", body)
        res = objs.get(int(resources.group(1)), b"") if resources else body
        fonts = {name.decode(): int(num) for name, num in re.findall(rb"/(F\d+)\s+(\d+)\s+0\s+R", res)}
        data = _stream(objs.get(int(contents.group(1)), b"")) if contents else None
        if not data:
            continue
        current: list[str] = []
        cmap: dict[int, str] = {}
        for m in _TOKEN.finditer(data):
            font, hexs, _x, y, op = m.groups()
            if font:
                cmap = font_map(fonts[font.decode()]) if font.decode() in fonts else {}
            elif hexs:
                h = hexs.decode()
                step = 4 if len(h) % 4 == 0 else 2
                current.extend(cmap.get(int(h[i:i + step], 16), "?") for i in range(0, len(h), step))
            elif y is not None and float(y) != 0 and current:
                lines.append("".join(current))
                current = []
            elif op == b"ET" and current:
                lines.append("".join(current))
                current = []
    return "\n".join(lines)
