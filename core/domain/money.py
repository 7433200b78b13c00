"""Money: Decimal yuan rounded half-up to the cent. Never float."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that cannot be read as an amount of money."""


def money(value: object) -> Decimal:
    """Read an amount (str, int or Decimal; float refused) and round it half-up to the cent."""
    if isinstance(value, float):
        raise MoneyError(f"money must not be a float: {value!r}")
    if isinstance(value, bool):
        raise MoneyError(f"not an amount: {value!r}")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not d.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def round_money(value: Decimal) -> Decimal:
    """Round an intermediate product (e.g. base x ratio) half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(value: object) -> Decimal:
    """Read a ratio such as "0.85"; must lie in [0, 1]."""
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not a ratio: {value!r}") from exc
    if not d.is_finite() or d < 0 or d > 1:
        raise MoneyError(f"ratio must lie between 0 and 1: {value!r}")
    return d


def fmt(value: Decimal) -> str:
    """Two-decimal string as the platform and the vectors write amounts."""
    return f"{round_money(value):.2f}"
