"""Receipt -> Document: the layout, in character columns, shared by the ESC/POS encoder and the renderer.

Paper: 80 mm = 48 columns of Font A (12x24 dots, 576 dots), 58 mm = 32 columns (384 dots). A Chinese
character is two columns wide (Unicode East Asian Width W/F), so alignment is done in display columns.

Order on paper: the drawer kick comes first when asked (anchors.md: "kick the drawer and print first"), then
the header, a COPY mark on reprints, meta lines, items with their trace codes, totals, the settlement id as QR
and text, the footer, the cut.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from hardware.printing.receipt import Receipt


@dataclass(frozen=True)
class Text:
    text: str
    align: str = "left"    # left | center | right
    bold: bool = False
    size: int = 1          # 1 normal, 2 double width and height


@dataclass(frozen=True)
class QR:
    data: str
    module: int = 6        # dots per module
    ec: str = "M"          # L M Q H


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    partial: bool = True


@dataclass(frozen=True)
class Drawer:
    pin: int = 0           # 0 = pin 2, 1 = pin 5


Block = Text | QR | Feed | Cut | Drawer


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]
    columns: int = 48

    def text_lines(self) -> list[str]:
        """Plain text of the document, QR shown as [QR: data] (what the simulator's .txt holds)."""
        out = []
        for b in self.blocks:
            if isinstance(b, Text):
                width = self.columns // b.size
                out.append(_aligned(b.text, width, b.align))
            elif isinstance(b, QR):
                out.append(_aligned(f"[QR: {b.data}]", self.columns, "center"))
            elif isinstance(b, Feed):
                out.extend([""] * b.lines)
            elif isinstance(b, Cut):
                out.append("- - - - 切纸 cut - - - -" if b.partial else "======== 切纸 cut ========")
            elif isinstance(b, Drawer):
                out.append("[钱箱 drawer]")
        return [line.rstrip() for line in out]


def char_width(ch: str) -> int:
    """Columns on a Chinese receipt printer: ASCII is one, everything else (GBK double-byte) two; the
    "ambiguous" ones such as × and ° are double-byte in GBK and print two columns wide."""
    if ord(ch) < 0x80:
        return 1
    return 1 if unicodedata.east_asian_width(ch) == "H" else 2


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Break into lines of at most `width` columns: at a space when the line has one in its second half,
    else anywhere (Chinese has no spaces; a trace code is not split unless longer than a line)."""
    lines, line = [], ""
    for ch in text:
        if display_width(line) + char_width(ch) > width:
            cut = line.rfind(" ")
            if ch != " " and cut > len(line) // 2:
                lines.append(line[:cut].rstrip())
                line = line[cut + 1:]
            else:
                lines.append(line.rstrip())
                line = ""
            if ch == " ":
                continue
        line += ch
    if line or not lines:
        lines.append(line)
    return lines


def two_columns(left: str, right: str, width: int) -> list[str]:
    """`left` and `right` on one line when they fit, else left wrapped and right on the last line."""
    space = width - display_width(left) - display_width(right)
    if space >= 1:
        return [left + " " * space + right]
    lines = wrap(left, width)
    tail = width - display_width(lines[-1]) - display_width(right)
    if tail >= 1:
        lines[-1] = lines[-1] + " " * tail + right
    else:
        lines.append(" " * (width - display_width(right)) + right)
    return lines


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,.2f}"


def quantity(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def layout_receipt(receipt: Receipt, columns: int = 48, *, open_drawer: bool = False, qr: bool = True,
                   cut: str = "partial", drawer_pin: int = 0) -> Document:
    rule = Text("-" * columns)
    blocks: list[Block] = []
    if open_drawer:
        blocks.append(Drawer(drawer_pin))
    for i, line in enumerate(receipt.header_lines):
        if i == 0:
            for part in wrap(line, columns // 2):
                blocks.append(Text(part, "center", bold=True, size=2))
        else:
            blocks += [Text(part, "center") for part in wrap(line, columns)]
    if receipt.copy:
        blocks.append(Text("** 重打 COPY **", "center", bold=True))
    blocks.append(rule)
    for label, value in receipt.meta:
        blocks += [Text(s) for s in two_columns(f"{label}:", value, columns)]
    if receipt.meta:
        blocks.append(rule)
    amount_w = 10
    for item in receipt.items:
        title = item.name + (f" {item.spec}" if item.spec else "") + (f" [{item.note}]" if item.note else "")
        blocks += [Text(s, bold=True) for s in wrap(title, columns)]
        detail = f"  {quantity(item.quantity)}{item.unit} x {money(item.unit_price)}"
        blocks += [Text(s) for s in two_columns(detail, money(item.amount).rjust(amount_w), columns)]
        for code in item.trace_codes:
            blocks += [Text(s) for s in wrap(f"  追溯码 {code}", columns)]
    blocks.append(rule)
    for total in receipt.totals:
        blocks += [Text(s, bold=total.emphasis) for s in two_columns(total.label, money(total.amount), columns)]
    blocks.append(rule)
    if qr and receipt.qr_text:
        blocks.append(QR(receipt.qr_text, module=6 if columns >= 48 else 4))
    blocks += [Text(part, "center") for part in wrap(f"结算单号 {receipt.settlement_id}", columns)]
    for line in receipt.footer_lines:
        blocks += [Text(part, "center") for part in wrap(line, columns)]
    blocks.append(Feed(2))
    if cut != "none":
        blocks.append(Cut(partial=cut == "partial"))
    return Document(tuple(blocks), columns)


def _aligned(text: str, width: int, align: str) -> str:
    pad = max(0, width - display_width(text))
    if align == "center":
        return " " * (pad // 2) + text
    if align == "right":
        return " " * pad + text
    return text
