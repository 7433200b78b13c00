"""What the customer-facing display shows (issue 17, item 5), pure: the desk says where the sale is, this decides
the amounts and the prompt, and the display window only draws the result it receives on the event bus.

    view = paying(due=Decimal("35.00"), tendered=Decimal("50.00"))
    publish(bus, view)          # core.events.DISPLAY_CHANGED, data: view=view.to_data()

Stages: welcome (nobody at the desk), identify ("请出示医保码"), basket (the medicines being scanned; the amount
due once the centre's pre-settlement gave the personal share — before that only the fund knows, so no amount is
shown rather than a wrong one), pay (amount due, paid, change as the cashier types), done (paid, change, thanks).
Amounts go out formatted ("" = not shown) so the window has nothing to compute.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.domain import ZERO, fmt
from core.events import DISPLAY_CHANGED, EventBus
from core.i18n import Message

SHOW_CODE = Message("display.show_code", "请出示医保码", "Please show your medical-insurance code")
WELCOME = Message("display.welcome", "欢迎光临", "Welcome")
CHECKING = Message("display.checking", "正在为您核对药品，请稍候", "Checking your medicines, one moment please")
CHECK_AMOUNT = Message("display.check", "请核对药品与应付金额", "Please check your medicines and the amount due")
PLEASE_PAY = Message("display.pay", "请付款", "Please pay")
TAKE_CHANGE = Message("display.change", "请收好找零", "Please take your change")
THANKS = Message("display.thanks", "谢谢惠顾，祝您早日康复", "Thank you. Get well soon")


@dataclass(frozen=True)
class CustomerView:
    stage: str  # welcome / identify / basket / pay / done
    prompt: Message
    due: Decimal | None = None
    paid: Decimal | None = None
    change: Decimal | None = None
    items: int = 0

    def to_data(self) -> dict:
        def money(v: Decimal | None) -> str:
            return fmt(v) if v is not None else ""

        return {"stage": self.stage, "prompt_zh": self.prompt.zh, "prompt_en": self.prompt.en, "due": money(self.due),
                "paid": money(self.paid), "change": money(self.change), "items": self.items}


def welcome() -> CustomerView:
    return CustomerView("welcome", WELCOME)


def identify() -> CustomerView:
    return CustomerView("identify", SHOW_CODE)


def basket(items: int, personal: Decimal | None, goods: Decimal = ZERO) -> CustomerView:
    """The basket on the desk: `personal` is the insured part's personal share once the centre (or the offline
    floor) computed it, None before; goods are the non-insured part."""
    if personal is None:
        return CustomerView("basket", CHECKING, items=items)
    return CustomerView("basket", CHECK_AMOUNT, due=personal + goods, items=items)


def paying(due: Decimal, paid: Decimal | None = None, change: Decimal | None = None) -> CustomerView:
    """The pay step as typed: `paid` what the customer handed over so far, every tender with cash before change
    (None: nothing yet), `change` what goes back (None while the cash does not cover what is due)."""
    if paid is None or change is None:
        return CustomerView("pay", PLEASE_PAY, due=due, paid=paid)
    return CustomerView("pay", TAKE_CHANGE if change > ZERO else PLEASE_PAY, due=due, paid=paid, change=change)


def _dec(value) -> Decimal:
    try:
        return Decimal(str(value or "0"))
    except InvalidOperation:
        return ZERO


def done(tenders: tuple[dict, ...], change: Decimal, account: Decimal = ZERO, cash: Decimal = ZERO) -> CustomerView:
    """A settled sale (its recorded tenders: core.pos.tenders.Paid.to_dict): what it cost the customer, what they
    handed over (cash before change) and the change. Without tenders (recorded before them): account + cash."""
    if tenders:
        due = sum((_dec(t.get("kept")) for t in tenders), ZERO)
        paid = sum((_dec(t.get("tendered")) if t.get("kind") == "cash" and _dec(t.get("tendered")) else
                    _dec(t.get("kept")) for t in tenders), ZERO)
    else:
        due = account + cash
        paid = due + change
    return CustomerView("done", THANKS, due=due, paid=paid, change=change)


def publish(bus: EventBus | None, view: CustomerView) -> None:
    if bus is not None:
        bus.publish(DISPLAY_CHANGED, view=view.to_data())


__all__ = ["CustomerView", "basket", "done", "identify", "paying", "publish", "welcome"]
