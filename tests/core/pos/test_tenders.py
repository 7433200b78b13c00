"""core.pos: tenders (our own vectors), refunds back to their tenders, X/Z per tender, goods and the mixed receipt."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from core.pos.goods import GoodsCatalogue, GoodsError, GoodsLine, InsuredPart, MixedSale, receipt_lines
from core.pos.tenders import Kind, Tender, TenderError, refund, settle_tenders, totals

VECTORS = json.loads(Path(__file__).with_name("tender_vectors.json").read_text(encoding="utf-8"))["vectors"]
D = Decimal


@pytest.mark.parametrize("v", VECTORS, ids=[v["id"][:6] for v in VECTORS])
def test_vector(v):
    tenders = [Tender.of(k, a, r) for k, a, r in v["tenders"]]
    want = v["expect"]
    if "error" in want:
        with pytest.raises(TenderError, match=want["error"]):
            settle_tenders(D(v["insured"]), D(v["local"]), tenders)
        return
    got = settle_tenders(D(v["insured"]), D(v["local"]), tenders)
    assert [f"{p.kept:.2f}" for p in got.paid] == want["kept"]
    assert f"{got.change:.2f}" == want["change"]
    assert sum((p.kept for p in got.paid), D("0")) == D(v["insured"]) + D(v["local"])


def _mixed():
    return settle_tenders(D("14.00"), D("25.50"), [Tender.of("account", "4.00"),
                                                    Tender.of("wechat", "30.00", "4200001234567890123456789012"),
                                                    Tender.of("cash", "10.00")])


def test_refunds_go_back_to_their_tenders():
    pay = _mixed()  # account 4.00, WeChat 30.00, cash 5.50 kept (4.50 change)
    whole = {(p.kind, p.kept) for p in refund(pay)}
    assert whole == {(Kind.ACCOUNT, D("4.00")), (Kind.WECHAT, D("30.00")), (Kind.CASH, D("5.50"))}
    part = refund(pay, D("8.00"))  # the last tender first (cash 5.50), then WeChat; the account last
    assert [(p.kind, p.kept, p.reference) for p in part] == [
        (Kind.CASH, D("5.50"), ""), (Kind.WECHAT, D("2.50"), "4200001234567890123456789012")]
    with pytest.raises(TenderError, match="超过原付款"):
        refund(pay, D("39.51"))


def test_x_z_per_tender():
    pay = _mixed()
    cash_only = settle_tenders(D("14.00"), D("0"), [Tender.of("cash", "20")])
    t = totals([pay.paid, cash_only.paid], [refund(pay, D("8.00"))])
    assert (t[Kind.CASH].count, t[Kind.CASH].paid, t[Kind.CASH].refunded, t[Kind.CASH].net) == (2, D("19.50"), D("5.50"), D("14.00"))
    assert (t[Kind.WECHAT].paid, t[Kind.WECHAT].net) == (D("30.00"), D("27.50"))
    assert t[Kind.ALIPAY].count == 0 and t[Kind.ACCOUNT].paid == D("4.00")


def test_goods_catalogue_and_quick_add():
    cat = GoodsCatalogue()
    with pytest.raises(GoodsError, match="主管快速新增"):
        cat.find("6901234567892")
    with pytest.raises(GoodsError, match="校验位"):
        cat.quick_add("6901234567893", "口罩", "9.90", approver="zhang")
    with pytest.raises(GoodsError, match="主管"):
        cat.quick_add("6901234567892", "口罩", "9.90", approver="")
    with pytest.raises(GoodsError, match="大于 0"):
        cat.quick_add("6901234567892", "口罩", "0", approver="zhang")
    good = cat.quick_add("6901234567892", "医用口罩", "9.90", approver="zhang")
    assert cat.find("06901234567892") == good  # GTIN-14 with a leading zero is the same good
    line = GoodsLine(good, 3, D("1.00"))
    assert line.amount == D("28.70")
    with pytest.raises(GoodsError):
        _ = GoodsLine(good, 1, D("10.00")).amount


def test_one_receipt_shows_both_parts_and_the_split():
    cat = GoodsCatalogue()
    good = cat.quick_add("6901234567892", "医用口罩", "25.50", approver="zhang")
    sale = MixedSale(InsuredPart(D("28.00"), D("14.00"), D("14.00"), (("苯磺酸氨氯地平片", D("28.00"), ("81000110001",)),),
                                 "S1"), (GoodsLine(good),))
    assert sale.due == D("39.50")
    text = "\n".join(receipt_lines(sale, _mixed()))
    for needle in ("【医保部分】", "追溯码 81000110001", "统筹支付 14.00", "【非医保部分（自费）】", "医用口罩 x1  25.50",
                   "医保个人负担 14.00 + 非医保 25.50 = 39.50", "微信支付 30.00", "凭证号 4200001234567890123456789012",
                   "找零 4.50"):
        assert needle in text, (needle, text)
