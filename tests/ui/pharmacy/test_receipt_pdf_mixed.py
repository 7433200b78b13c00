"""The receipt PDF of a mixed basket (issue 17), read back with pdftotext: the insured part with its trace codes,
the non-insured goods part, the split (合计应收 = insured personal share + goods), and every tender with its slip
reference, masked where it is long; a return's receipt lists what went back to each tender."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal

import pytest

from core.services.receipts import build_receipt
from desktop.common.receipt_pdf import write_pdf
from tests.ui.pharmacy.test_receipt_pdf_page import _fold
from tests.ui.pharmacy.test_receipt_printing import CODES, record

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (.ci/run installs them)")
WX = "4200001111222233334444555566"
UP = "62258801"  # a short UnionPay slip number: printed whole


def mixed(kind: str = "sale"):
    sign = "-" if kind == "return" else ""
    tenders = ({"kind": "account", "name": "个人账户", "kept": "5.00", "reference": ""},
               {"kind": "wechat", "name": "微信支付", "kept": "30.00", "reference": WX},
               {"kind": "unionpay", "name": "银联卡", "kept": "10.00", "reference": UP},
               {"kind": "cash", "name": "现金", "kept": "2.99", "reference": ""})
    goods = ({"line": 1, "gtin": "06901234567892", "name": "医用外科口罩", "qty": 2, "price": "12.50",
              "discount": "0", "amount": "25.00", "returned": False},)
    r = replace(record(kind), tenders=tenders, goods=goods, account_pay=Decimal("5.00"), cash_pay=Decimal("2.99"))
    content = build_receipt(r, pharmacy="康济大药房", institution="P42070000001", terminal="T01", operator="李药师")
    return content, sign


def _pdf_text(content, tmp_path) -> str:
    path = write_pdf(content, tmp_path / "mixed.pdf")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # one line (a long row may wrap on the 80 mm page); 戶 is how pdftotext names the font's one glyph for 户
    return " ".join(_fold(out).replace("戶", "户").split())


@pytest.mark.parametrize("kind", ["sale", "return"])
def test_the_pdf_shows_both_parts_the_split_and_every_tender(qtbot, tmp_path, kind):
    content, sign = mixed(kind)
    text = _pdf_text(content, tmp_path)
    for needle in ("【医保部分】", "苯磺酸氨氯地平片", f"追溯码 {CODES[0]}", f"追溯码 {CODES[1]}",
                   "【非医保部分（自费）】", "医用外科口罩", f"{sign}25.00", "非医保合计", "医保个人负担",
                   f"合计应收 {sign}47.99",  # 22.99 insured personal share + 25.00 goods
                   "个人账户", f"{sign}5.00", "微信支付", f"{sign}30.00", "凭证号 4200****555566",
                   "银联卡", f"凭证号 {UP}", "现金", f"{sign}2.99"):
        assert _fold(needle) in text, (needle, text)
    assert WX not in text  # the long reference is masked on the customer's paper
    head = "【付款方式】" if kind == "sale" else "【退回原付款方式】"
    assert _fold(head) in text
