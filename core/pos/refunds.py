"""What a partial return gives back to each tender (issue 17), pure.

Returning some lines of a sale cancels its whole settlement at the centre (2103) and settles the kept lines again
as a new sale. The money does not go round: the kept sale is paid by what the original tenders already hold, and
only the difference goes back, each tender getting back what it paid and no longer pays — the account through
the centre (2103 gives it all back, the new 2102 takes the kept part again), the family account to the relative's
account the same way, WeChat back to WeChat with its slip's reference, cash as cash.

Which tender keeps what (the order refunds are taken in, as core.pos.tenders.refund):
1. the accounts keep first (personal account, then the family account, in the order they paid), at most the kept
   lines' insured personal share — an insurance account never pays goods — so the centre, asked for exactly that
   (acct_pay), takes the same again;
2. then the other tenders keep in the order they paid (the first tender first), up to what is left to pay;
3. what a tender held and does not keep goes back to it.

    plan = carry_over(original.paid, personal=D("9.60"), local=D("12.50"))
    plan.kept   # the tenders of the kept sale (cash kept as cash tendered, no change)
    plan.back   # what goes back to each tender: the other tenders last-paid first, the accounts last
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.domain import ZERO, fmt, money
from core.pos.tenders import ACCOUNTS, Kind, Paid, Payment, TenderError, refund


@dataclass(frozen=True)
class CarryOver:
    kept: tuple[Paid, ...]  # per original tender, in its order: what it keeps paying for the kept sale (0 included)
    back: tuple[Paid, ...]  # what goes back, only the tenders that get something, in the order given back

    def kept_of(self, kind: Kind) -> Decimal:
        return sum((p.kept for p in self.kept if p.kind == kind), ZERO)

    @property
    def total_back(self) -> Decimal:
        return sum((p.kept for p in self.back), ZERO)


def carry_over(paid: Sequence[Paid], personal: Decimal, local: Decimal = ZERO) -> CarryOver:
    """Split what the original tenders hold (`paid`: each one's kept amount, net of earlier refunds) between the
    kept sale (its insured personal share `personal` and goods `local`) and the refund (see the module)."""
    personal, local = money(personal), money(local)
    held = sum((p.kept for p in paid), ZERO)
    if personal < ZERO or local < ZERO or personal + local > held:
        raise TenderError(f"保留部分应收 {fmt(personal + local)} 元超过原付款 {fmt(held)} 元",
                          f"the kept part's {fmt(personal + local)} exceeds the {fmt(held)} paid")
    keep = [ZERO] * len(paid)
    left = personal  # the accounts pay the insured personal share only
    for i, p in enumerate(paid):
        if p.kind in ACCOUNTS:
            keep[i] = min(p.kept, left)
            left -= keep[i]
    left = personal + local - sum(keep, ZERO)
    for i, p in enumerate(paid):
        if p.kind not in ACCOUNTS:
            keep[i] = min(p.kept, left)
            left -= keep[i]
    if left > ZERO:  # the accounts held more than the kept share: the others cannot cover the goods
        raise TenderError(f"原付款方式无法支付保留部分（尚缺 {fmt(left)} 元）",
                          f"the original tenders cannot pay the kept part ({fmt(left)} short)")
    kept = tuple(Paid(p.kind, k, p.reference, k) for p, k in zip(paid, keep, strict=True))
    order = [i for i in reversed(range(len(paid))) if paid[i].kind not in ACCOUNTS] + \
            [i for i in reversed(range(len(paid))) if paid[i].kind in ACCOUNTS]
    back = tuple(Paid(paid[i].kind, paid[i].kept - keep[i], paid[i].reference) for i in order
                 if paid[i].kept - keep[i] > ZERO)
    return CarryOver(kept, back)


@dataclass(frozen=True)
class GoodsBack:
    lines: tuple[int, ...]  # the goods lines returned (their numbers in the sale)
    amount: Decimal  # what they cost as sold (after their discount)
    back: tuple[Paid, ...]  # what goes back to each tender, in the order given back


def goods_back(paid: Sequence[Paid], sold: Sequence[tuple[int, Decimal, bool]], chosen: Sequence[int]) -> GoodsBack:
    """Some non-insured goods lines of a sale returned on their own (the insured lines stay settled: nothing goes
    to the centre). `paid`: what each tender still holds; `sold`: (line, amount, already returned) of the sale's
    goods lines; `chosen`: the lines brought back. Their amount goes back to the tenders other than the accounts
    (an insurance account never pays goods), by core.pos.tenders.refund's rule: the last tender paid first
    (cash, usually). Refuses (TenderError, nothing to write) an empty choice, a line the sale does not have or
    has already given back, a line twice, and more than the other tenders still hold."""
    lines = {n: (money(a), done) for n, a, done in sold}
    if not chosen:
        raise TenderError("未选择要退的商品", "no goods line chosen")
    if len(set(chosen)) != len(chosen):
        raise TenderError("同一商品行不能退两次", "a goods line chosen twice")
    for n in chosen:
        if n not in lines:
            raise TenderError(f"原小票没有第 {n} 行商品", f"the sale has no goods line {n}")
        if lines[n][1]:
            raise TenderError(f"第 {n} 行商品已经退过", f"goods line {n} was returned already")
    amount = sum((lines[n][0] for n in chosen), ZERO)
    others = tuple(p for p in paid if p.kind not in ACCOUNTS)
    held = sum((p.kept for p in others), ZERO)
    if amount > held:
        raise TenderError(f"退商品 {fmt(amount)} 元超过非医保账户付款 {fmt(held)} 元",
                          f"the goods' {fmt(amount)} exceed the {fmt(held)} paid by tenders other than the accounts")
    return GoodsBack(tuple(sorted(chosen)), amount, refund(Payment(others, ZERO), amount))


def kept_share(answer: dict, kept: set[int]) -> Decimal | None:
    """The kept lines' personal share from the centre's 2102 answer of the sale: their amounts less the fund's
    part of their eligible amounts (detlcutinfo[].inscp_scp_amt: after 全自费, 先行自付 and over-limit), the fund
    (setlinfo.hifp_pay) spread over the eligible amounts. Exact under a flat ratio; a deductible or cap met in
    this sale moves it (the centre decides). `kept`: 0-based positions of the kept lines in the basket (the
    answer's feedetl_sn is position + 1). None when the answer has no line detail."""
    setl = answer.get("setlinfo") if isinstance(answer, dict) else None
    cut = answer.get("detlcutinfo") if isinstance(answer, dict) else None
    if not isinstance(setl, dict) or not isinstance(cut, list) or not cut:
        return None
    try:
        rows = {int(c["feedetl_sn"]) - 1: (money(c["det_item_fee_sumamt"]), money(c["inscp_scp_amt"])) for c in cut}
        eligible = money(setl["inscp_scp_amt"])
        fund = money(setl.get("hifp_pay") or setl.get("fund_pay_sumamt") or "0")
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if not kept <= set(rows):
        return None
    amount = sum((rows[i][0] for i in kept), ZERO)
    kept_eligible = sum((rows[i][1] for i in kept), ZERO)
    fund_kept = (fund * kept_eligible / eligible).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) \
        if eligible > ZERO else ZERO
    return max(ZERO, amount - fund_kept)


def estimate_personal(personal: Decimal, total: Decimal, kept_amount: Decimal) -> Decimal:
    """The kept lines' personal share before the centre has settled them again, for the confirmation: the
    sale's personal share in proportion to the amounts (exact under a flat ratio; the deductible and caps may
    move it — the centre's figures decide, and the desk shows what really went back once it has them)."""
    if total <= ZERO or kept_amount <= ZERO:
        return ZERO
    share = (personal * kept_amount / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return min(personal, share)


__all__ = ["CarryOver", "GoodsBack", "carry_over", "goods_back", "estimate_personal", "kept_share"]
