"""core.pos.refunds: a partial return gives each tender back what it no longer pays (our own cases)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from core.pos.refunds import carry_over, estimate_personal, kept_share
from core.pos.tenders import Kind, Tender, TenderError, settle_tenders

WX = "4200001234567890123456789012"


def _back(plan) -> list[tuple[str, str, str]]:
    return [(p.kind.value, f"{p.kept:.2f}", p.reference) for p in plan.back]


def test_wechat_and_cash_cash_goes_back_first_then_wechat():
    """WeChat 20 + cash 10 for 14.00 insured + 11.60 goods (cash keeps 5.60, change 4.40); the kept lines owe
    6.00 + the goods 11.60: WeChat keeps 17.60, gives 2.40 back; all of the cash (5.60) goes back."""
    pay = settle_tenders(D("14.00"), D("11.60"), [Tender.of("wechat", "20.00", WX), Tender.of("cash", "10")])
    plan = carry_over(pay.paid, D("6.00"), D("11.60"))
    assert _back(plan) == [("cash", "5.60", ""), ("wechat", "2.40", WX)]
    assert [(p.kind.value, f"{p.kept:.2f}") for p in plan.kept] == [("wechat", "17.60"), ("cash", "0.00")]
    assert plan.total_back == D("8.00")  # exactly what the customer no longer pays: 14.00 - 6.00


def test_account_and_family_back_through_the_centre_never_for_goods():
    """Own account 4 + family 10 + cash for goods 25.50: the kept insured share is 6.00: the accounts keep 6
    (own first), the family account gets 8 back and the own account none; cash keeps the goods."""
    pay = settle_tenders(D("14.00"), D("25.50"), [Tender.of("account", "4.00"), Tender.of("family", "10.00"),
                                                  Tender.of("cash", "30")])
    plan = carry_over(pay.paid, D("6.00"), D("25.50"))
    assert _back(plan) == [("family", "8.00", "")]
    assert plan.kept_of(Kind.ACCOUNT) == D("4.00") and plan.kept_of(Kind.FAMILY) == D("2.00")
    assert plan.kept_of(Kind.CASH) == D("25.50")


def test_account_never_keeps_more_than_the_kept_insured_share():
    """Account 14 paid the whole insured share; the kept lines' share is 3: the account gets 11 back even though
    the goods (paid in WeChat) are kept — an insurance account does not move onto goods."""
    pay = settle_tenders(D("14.00"), D("5.00"), [Tender.of("account", "14.00"), Tender.of("wechat", "5.00", WX)])
    plan = carry_over(pay.paid, D("3.00"), D("5.00"))
    assert _back(plan) == [("account", "11.00", "")]
    assert plan.kept_of(Kind.WECHAT) == D("5.00")


def test_nothing_kept_is_a_whole_refund():
    pay = settle_tenders(D("14.00"), D("0"), [Tender.of("alipay", "4.00", "ALI2026120800001"),
                                              Tender.of("cash", "10.00")])
    plan = carry_over(pay.paid, D("0"), D("0"))
    assert _back(plan) == [("cash", "10.00", ""), ("alipay", "4.00", "ALI2026120800001")]


def test_more_kept_than_paid_is_refused():
    pay = settle_tenders(D("14.00"), D("0"), [Tender.of("cash", "14.00")])
    with pytest.raises(TenderError, match="超过原付款"):
        carry_over(pay.paid, D("14.01"), D("0"))


def test_the_estimate_of_the_kept_share():
    assert estimate_personal(D("11.20"), D("28.00"), D("14.00")) == D("5.60")
    assert estimate_personal(D("11.20"), D("28.00"), D("0")) == D("0")
    assert estimate_personal(D("1.00"), D("3.00"), D("1.00")) == D("0.33")


def test_the_kept_share_from_the_centres_line_detail():
    """Two lines: 28.00 all eligible and 41.30 with 4.13 先行自付 (37.17 eligible); the fund paid 39.10 of 65.17
    eligible (60 %). Keeping line 1: 28.00 - 60 % of 28.00 = 11.20 (a proportion of the amounts says 12.38)."""
    answer = {"setlinfo": {"inscp_scp_amt": "65.17", "hifp_pay": "39.10"},
              "detlcutinfo": [{"feedetl_sn": "1", "det_item_fee_sumamt": "28.00", "inscp_scp_amt": "28.00"},
                              {"feedetl_sn": "2", "det_item_fee_sumamt": "41.30", "inscp_scp_amt": "37.17"}]}
    assert kept_share(answer, {0}) == D("11.20")
    assert kept_share(answer, {1}) == D("41.30") - D("22.30")
    assert kept_share(answer, set()) == D("0.00")
    assert kept_share({}, {0}) is None and kept_share(answer, {5}) is None  # no detail, or not that line


# ------------------------------------------------------------------ goods lines returned on their own
def test_goods_lines_back_to_the_last_tender_paid_first_never_to_the_account():
    """Account 4 + WeChat 20 + cash 10 for 14.00 insured + goods 12.00 (line 1) and 11.50 (line 2): the cash kept
    5.50 (change 4.50); bringing back line 1 gives cash 5.50 then WeChat 6.50; the account gets nothing."""
    from core.pos.refunds import goods_back

    pay = settle_tenders(D("14.00"), D("23.50"), [Tender.of("account", "4.00"), Tender.of("wechat", "28.00", WX),
                                                  Tender.of("cash", "10")])
    plan = goods_back(pay.paid, [(1, D("12.00"), False), (2, D("11.50"), False)], [1])
    assert plan.amount == D("12.00") and plan.lines == (1,)
    assert _back(plan) == [("cash", "5.50", ""), ("wechat", "6.50", WX)]
    both = goods_back(pay.paid, [(1, D("12.00"), False), (2, D("11.50"), False)], [2, 1])
    assert both.amount == D("23.50") and sum(p.kept for p in both.back) == D("23.50")
    assert all(p.kind != Kind.ACCOUNT for p in both.back)


@pytest.mark.parametrize("sold, chosen, why", [
    ([(1, D("12.00"), False)], [], "未选择"),
    ([(1, D("12.00"), False)], [2], "没有第 2 行"),
    ([(1, D("12.00"), True)], [1], "已经退过"),
    ([(1, D("12.00"), False)], [1, 1], "不能退两次"),
    ([(1, D("30.00"), False)], [1], "超过非医保账户付款"),  # more than all the tenders hold
    ([(1, D("15.00"), False)], [1], "超过非医保账户付款"),  # the cash holds 12: the account's 14 never pays goods
])
def test_goods_back_refuses_bad_choices(sold, chosen, why):
    from core.pos.refunds import goods_back

    pay = settle_tenders(D("14.00"), D("12.00"), [Tender.of("account", "14.00"), Tender.of("cash", "12.00")])
    with pytest.raises(TenderError, match=why):
        goods_back(pay.paid, sold, chosen)
