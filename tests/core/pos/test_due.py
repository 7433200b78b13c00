"""core.pos.due: the pay step's arithmetic (合计应收, cash due, change, refusal when the tenders do not match)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from core.pos.due import pay_due
from core.pos.tenders import TenderError


@pytest.mark.parametrize("kw, total, account, family, cash_due, change", [
    # cash only: the empty cash field means "exactly"
    (dict(personal="14.00"), "14.00", "0.00", "0.00", "14.00", "0.00"),
    # account asked for more than the share and the balance: the smaller of the three
    (dict(personal="84.00", account="84.00", balance="20.00", cash="70"), "84.00", "20.00", "0.00", "64.00", "6.00"),
    # the account never pays goods; WeChat 10 + cash 20.5 for the rest
    (dict(personal="14.00", goods="25.50", account="14.00", balance="2000", external=["10.00"], cash="20.50"),
     "39.50", "14.00", "0.00", "15.50", "5.00"),
    # 共济: the holder pays what the own account left, up to its balance
    (dict(personal="84.00", account="20", balance="20", family_balance="50.00"), "84.00", "20.00", "50.00", "14.00", "0.00"),
    (dict(personal="84.00", account="20", balance="20", family_balance="500"), "84.00", "20.00", "64.00", "0.00", "0.00"),
    # two external tenders (WeChat 10 + Alipay 5) and cash with change
    (dict(personal="11.20", goods="12.50", external=["10", "5"], cash="10"), "23.70", "0.00", "0.00", "8.70", "1.30"),
    # external tenders paying everything exactly: no cash due
    (dict(personal="11.20", goods="12.50", external=["23.70"]), "23.70", "0.00", "0.00", "0.00", "0.00"),
])
def test_amount_due(kw, total, account, family, cash_due, change):
    args = {k: ([D(x) for x in v] if isinstance(v, list) else D(v)) for k, v in kw.items()}
    due = pay_due(args.pop("personal"), args.pop("goods", D("0")), **args)
    assert (f"{due.total:.2f}", f"{due.account:.2f}", f"{due.family:.2f}", f"{due.cash_due:.2f}") == \
        (total, account, family, cash_due)
    assert due.change is not None and f"{due.change:.2f}" == change
    due.check()
    # everything owed is paid: account + family + external + cash kept
    assert due.account + due.family + due.external + due.cash_due == due.total


def test_balance_after():
    due = pay_due(D("14.00"), account=D("14.00"), balance=D("2000.00"))
    assert due.balance_after == D("1986.00")


def test_cash_short_is_refused_with_the_amounts():
    due = pay_due(D("19.00"), D("0"), cash=D("10"))
    assert due.change is None
    with pytest.raises(TenderError, match="现金不足：应收 19.00，实收 10.00"):
        due.check()
    assert pay_due(D("19.00"), cash=D("19.00")).change == D("0.00")  # exactly enough is enough


def test_external_tenders_beyond_the_amount_due_are_refused():
    """WeChat 30 for 25.50 due: only cash gives change, refused (the mismatch the issue names)."""
    due = pay_due(D("14.00"), D("11.50"), external=[D("20.00"), D("10.00")])
    assert due.cash_due == D("0.00") and due.change is None
    with pytest.raises(TenderError, match="只有现金可以找零"):
        due.check()
    pay_due(D("14.00"), D("11.50"), external=[D("20.00"), D("5.50")]).check()  # exactly the amount: fine


def test_external_tenders_cannot_take_the_accounts_share():
    """The account pays 14 of a 14 + 10 sale: WeChat may pay at most the 10 left."""
    with pytest.raises(TenderError, match="超过应收 10.00"):
        pay_due(D("14.00"), D("10.00"), account=D("14"), balance=D("100"), external=[D("10.01")]).check()


def test_a_zero_or_negative_tender_is_refused():
    with pytest.raises(TenderError, match="大于 0"):
        pay_due(D("14.00"), external=[D("0")])
