"""Text of a PDF written by Qt (QPdfWriter): enough of PDF to read receipts back in tests.

Qt writes each font as a Type0 subset with a ToUnicode CMap and shows text as hex glyph ids (`<0001> Tj`);
this maps them back per font. Lines break at a vertical move or at the end of a text object.

A stream's bytes are cut by its /Length (direct or `n 0 R`), never by searching for `endstream`: compressed
data may end in a CR byte, which a `\r?\nendstream` pattern took for the line end — the stream lost its last
byte, zlib refused it and a valid Z report read back empty (about one PDF in 700; the e2e flake).
"""
from __future__ import annotations

import re
import zlib
from pathlib import Path

_OBJ_HEAD = re.compile(rb"(\d+) 0 obj\b")
_STREAM_HEAD = re.compile(rb"stream\r?\n")
_LENGTH = re.compile(rb"/Length\s+(\d+)(\s+0\s+R)?")
_TOKEN = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]+)>\s*Tj|(-?[\d.]+)\s+(-?[\d.]+)\s+Td|\b(BT|ET)\b")


def _objects(raw: bytes) -> tuple[dict[int, bytes], dict[int, bytes]]:
    """Each object's dictionary text (up to `stream` or `endobj`) and, for a stream object, its raw bytes.

    Walks the file object by object; a stream's bytes are skipped by their /Length so that nothing inside
    binary data (an `endobj` or `1 0 obj` by chance) is taken for structure."""
    heads: dict[int, bytes] = {}
    streams: dict[int, tuple[int, bytes]] = {}  # num -> (data start, dictionary)
    pos = 0
    while (m := _OBJ_HEAD.search(raw, pos)) is not None:
        num = int(m.group(1))
        end = raw.find(b"endobj", m.end())
        end = len(raw) if end < 0 else end
        s = _STREAM_HEAD.search(raw, m.end(), end)
        if s is None:
            heads[num] = raw[m.end():end]
            pos = end
            continue
        heads[num] = raw[m.end():s.start()]
        streams[num] = (s.end(), heads[num])
        pos = s.end()
    bodies: dict[int, bytes] = {}
    for num, (start, head) in streams.items():
        ln = _LENGTH.search(head)
        n = int(ln.group(1)) if ln else -1
        if ln and ln.group(2):  # an indirect length: the number is in object n
            ref = re.search(rb"\d+", heads.get(n, b""))
            n = int(ref.group(0)) if ref else -1
        if n < 0:  # no usable length: up to the keyword, less the end of line before it
            stop = raw.find(b"endstream", start)
            chunk = raw[start:stop if stop >= 0 else len(raw)]
            n = len(chunk) - (2 if chunk.endswith(b"\r\n") else 1 if chunk.endswith(b"\n") else 0)
        bodies[num] = raw[start:start + n]
    return heads, bodies


def _stream(head: bytes, data: bytes | None) -> bytes | None:
    if data is None:
        return None
    if b"/FlateDecode" in head:
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
    objs, bodies = _objects(raw)

    def stream(num: int) -> bytes | None:
        return _stream(objs.get(num, b""), bodies.get(num))
    cmaps: dict[int, dict[int, str]] = {}

    def font_map(num: int) -> dict[int, str]:
        if num not in cmaps:
            ref = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", objs.get(num, b""))
            cmaps[num] = _cmap(stream(int(ref.group(1))) or b"") if ref else {}
        return cmaps[num]

    lines: list[str] = []
    for body in objs.values():
        if not re.search(rb"/Type\s*/Page\b", body):
            continue
        contents = re.search(rb"/Contents\s+(\d+)\s+0\s+R", body)
        resources = re.search(rb"/Resources\s+(\d+)\s+0\s+R", body)
        res = objs.get(int(resources.group(1)), b"") if resources else body
        fonts = {name.decode(): int(num) for name, num in re.findall(rb"/(F\d+)\s+(\d+)\s+0\s+R", res)}
        data = stream(int(contents.group(1))) if contents else None
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
