"""ESC/POS output, byte for byte: the commands, a whole receipt, code pages; and reading the bytes back."""
from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.printing import escpos
from hardware.printing.escpos_read import read_escpos
from hardware.printing.layout import QR, Cut, Document, Drawer, Text, display_width, layout_receipt
from hardware.printing.receipt import Receipt, ReceiptItem, ReceiptTotal, printer_test_page

SMALL = Receipt(
    header_lines=("康宁大药房",),
    items=(ReceiptItem("阿莫西林", D("1"), D("12.5"), D("12.5"), unit="盒", trace_codes=("81000110000000000001",)),),
    totals=(ReceiptTotal("合计", D("12.5"), emphasis=True),),
    settlement_id="S1",
)

GOLDEN_SMALL_58MM = (
    b"\x1b\x40"                                  # ESC @        initialise
    b"\x1c\x26"                                  # FS &         Chinese mode (GB18030 double-byte)
    b"\x1b\x70\x00\x19\xfa"                      # ESC p 0 25 250  drawer kick, pin 2, before any printing
    b"\x1b\x61\x01"                              # ESC a 1      centre
    b"\x1b\x45\x01"                              # ESC E 1      bold
    b"\x1d\x21\x11" b"\x1c\x21\x0c"              # GS ! 0x11, FS ! 0x0C   double width and height
    b"\xbf\xb5\xc4\xfe\xb4\xf3\xd2\xa9\xb7\xbf\n"  # 康宁大药房 in GB18030/GBK
    b"\x1b\x61\x00" b"\x1b\x45\x00" b"\x1d\x21\x00" b"\x1c\x21\x00"
    + b"-" * 32 + b"\n"
    b"\x1b\x45\x01" b"\xb0\xa2\xc4\xaa\xce\xf7\xc1\xd6\n"          # 阿莫西林 (bold)
    b"\x1b\x45\x00" b"  1\xba\xd0 x 12.50" + b" " * 14 + b"12.50\n"  # 1盒 x 12.50 ... 12.50
    b"  \xd7\xb7\xcb\xdd\xc2\xeb 81000110000000000001\n"              # 追溯码 …
    + b"-" * 32 + b"\n"
    b"\x1b\x45\x01" b"\xba\xcf\xbc\xc6" + b" " * 23 + b"12.50\n"     # 合计 (bold)
    b"\x1b\x45\x00" + b"-" * 32 + b"\n"
    b"\x1b\x61\x01"                                                  # centre the QR
    b"\x1d\x28\x6b\x04\x00\x31\x41\x32\x00"                          # QR model 2
    b"\x1d\x28\x6b\x03\x00\x31\x43\x04"                              # module 4 dots
    b"\x1d\x28\x6b\x03\x00\x31\x45\x31"                              # error correction M
    b"\x1d\x28\x6b\x05\x00\x31\x50\x30S1"                            # store "S1" (k + 3 = 5)
    b"\x1d\x28\x6b\x03\x00\x31\x51\x30\n"                            # print
    b"\xbd\xe1\xcb\xe3\xb5\xa5\xba\xc5 S1\n"                          # 结算单号 S1
    b"\x1b\x64\x02"                                                  # ESC d 2    feed
    b"\x1d\x56\x42\x00"                                              # GS V 66 0  feed to cutter, partial cut
)


def test_golden_receipt_58mm_with_drawer():
    data = escpos.encode(layout_receipt(SMALL, 32, open_drawer=True))
    assert data == GOLDEN_SMALL_58MM


def test_commands():
    assert escpos.cut(partial=True) == b"\x1d\x56\x42\x00"
    assert escpos.cut(partial=False) == b"\x1d\x56\x41\x00"
    assert escpos.drawer_kick(0) == b"\x1b\x70\x00\x19\xfa"
    assert escpos.drawer_kick(1, on_ms=100, off_ms=200) == b"\x1b\x70\x01\x32\x64"
    assert escpos.align("right") == b"\x1b\x61\x02"
    assert escpos.feed(3) == b"\x1b\x64\x03"
    assert escpos.size(2, chinese=False) == b"\x1d\x21\x11"


def test_qr_store_length_counts_three_extra_bytes_and_uses_pH_past_255():
    data = "X" * 300
    out = escpos.qr(data, module=6, ec="H")
    store = b"\x1d\x28\x6b" + bytes([(303) & 0xFF, 303 >> 8]) + b"\x31\x50\x30" + data.encode()
    assert store in out
    assert b"\x1d\x28\x6b\x03\x00\x31\x45\x33" in out  # H
    assert b"\x1d\x28\x6b\x03\x00\x31\x43\x06" in out
    assert out.endswith(b"\x1d\x28\x6b\x03\x00\x31\x51\x30")


def test_code_pages():
    doc = Document((Text("药 𠀀 A"),), 32)
    gb18030 = escpos.encode(doc, "gb18030")
    assert b"\xd2\xa9 \x95\x32\x82\x36 A\n" in gb18030         # a 4-byte GB18030 character outside GBK
    assert b"\xd2\xa9 ? A\n" in escpos.encode(doc, "gbk")       # a GBK-only printer gets "?"
    ascii_out = escpos.encode(doc, "ascii")
    assert ascii_out.startswith(b"\x1b\x40\x1c\x2e\x1b\x74\x00")  # FS . (no Chinese mode), ESC t 0 (PC437)
    assert b"? ? A\n" in ascii_out


def test_qr_as_text_for_printers_without_gs_k():
    data = escpos.encode(Document((QR("S9"),), 48), qr_native=False)
    assert b"\x1d\x28\x6b" not in data and b"S9\n" in data


def test_copy_mark_and_trace_codes_on_the_80mm_test_page():
    receipt = printer_test_page("T1").as_copy()
    text = "\n".join(layout_receipt(receipt, 48).text_lines())
    assert "** 重打 COPY **" in text
    assert "追溯码 81000110000000000001" in text
    assert "统筹支付 fund" in text and "25.00" in text


def test_read_back_gives_the_same_document():
    for columns in (32, 48):
        doc = layout_receipt(printer_test_page("T1"), columns, open_drawer=True)
        back = read_escpos(escpos.encode(doc), columns=columns)
        assert back.document == doc and back.unknown == [] and back.chinese_mode
    blocks = read_escpos(GOLDEN_SMALL_58MM, columns=32).document.blocks
    assert blocks[0] == Drawer(0) and blocks[-1] == Cut(partial=True)


NAMES = st.text(alphabet="阿莫西林胶囊缓释片盐酸二甲双胍ABCxyz0123 ×·（）()-/", min_size=1, max_size=60)


@given(st.lists(st.tuples(NAMES, st.integers(1, 999), st.integers(1, 10**7)), min_size=1, max_size=4),
       st.sampled_from([32, 48]))
@settings(max_examples=60, deadline=None)
def test_every_line_fits_the_paper(items, columns):
    receipt = Receipt(
        header_lines=("某某大药房（连锁）第一百二十三分店 Pharmacy",),
        items=tuple(ReceiptItem(n, D(q), D(p) / 100, D(q) * D(p) / 100, unit="盒", spec="0.5g×24片",
                                trace_codes=("81000110000000000001",)) for n, q, p in items),
        totals=(ReceiptTotal("合计 total", sum(D(q) * D(p) / 100 for _, q, p in items), True),),
        settlement_id="S" * 40, meta=(("参保人", "张*三"),))
    doc = layout_receipt(receipt, columns)
    for block in doc.blocks:
        if isinstance(block, Text):
            assert display_width(block.text) * block.size <= columns, block
