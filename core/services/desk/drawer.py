"""When the cash drawer opens (issue 17, item 5), pure: the rule the desk applies after printing a receipt.

The drawer (on the receipt printer's drawer port, ESC p: hardware.printing.escpos.drawer_kick) opens when cash
changes hands: a sale or return with a cash tender (money in, change out, or a refund paid out in cash). It stays
shut for a sale paid only by account, WeChat, Alipay or card, and for every reprint (a copy moves no money).
Whether the terminal has a drawer at all, and on which pin, is the site's setting (devices.printer.drawer,
devices.printer.drawer_pin).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from core.services.ports import SaleRecord


def _nonzero(value) -> bool:
    try:
        return Decimal(str(value or "0")) != 0
    except InvalidOperation:
        return False


def kick_due(record: SaleRecord, copy_no: int = 0) -> bool:
    """Whether printing this record's receipt opens the drawer."""
    if copy_no != 0:
        return False
    if record.tenders:  # what paid (or what a return gave back), tender by tender
        return any(t.get("kind") == "cash" and (_nonzero(t.get("kept")) or _nonzero(t.get("tendered"))
                                               or _nonzero(t.get("change")))
                   for t in record.tenders)
    return record.cash_pay != 0 or record.change != 0  # recorded before tenders were kept per sale


__all__ = ["kick_due"]
