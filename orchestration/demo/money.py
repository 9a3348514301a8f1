"""Exact money arithmetic for the demo: every amount is a Decimal, never a float.

Formats that store binary doubles (Parquet, JSON numbers) get the double of an amount with at most 10 decimal
places whose shortest repr is exactly that decimal (checked), so a parser that prints shortest-repr text
recovers the amount the ground truth was computed from.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

MAX_PLACES = 10
_CENT = Decimal("0.01")


def round_places(value: Decimal, places: int = MAX_PLACES) -> Decimal:
    """Round half-even to `places` decimals and drop trailing zeros (keeps the value, shortens the text)."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return _strip(rounded)


def cents(value: Decimal) -> Decimal:
    """Round half-up to whole cents, as invoices and tax lines do."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def scaled(units: int, places: int) -> Decimal:
    """units * 10**-places as an exact Decimal (e.g. scaled(12345, 3) == Decimal('12.345'))."""
    return Decimal(units).scaleb(-places)


def _strip(value: Decimal) -> Decimal:
    if value == 0:
        return Decimal(0)
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normalized.quantize(Decimal(1))
    return normalized


def check_exact(value: Decimal) -> Decimal:
    """Raise if `value` is not finite or has more than 10 decimal places; return it unchanged."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -MAX_PLACES:
        return value
    exponent = _strip(value).as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite amount: {value!r}")
    if exponent < -MAX_PLACES:
        raise ValueError(f"amount {value} has more than {MAX_PLACES} decimal places")
    return value


def to_double(value: Decimal) -> float:
    """The double whose shortest repr is exactly `value` (checked)."""
    check_exact(value)
    result = float(value)
    if Decimal(repr(result)) != value:
        raise ValueError(f"{value} does not round-trip through a double ({result!r})")
    return result


def quantity_double(value: Decimal) -> float:
    """A usage quantity (never money) as a double; very large byte counts may not round-trip exactly."""
    return float(value)


def decimal_text(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: Decimal('12.5000') -> '12.5', 0 -> '0'."""
    check_exact(value)
    return format(_strip(value), "f")


__all__ = [
    "MAX_PLACES",
    "cents",
    "check_exact",
    "decimal_text",
    "quantity_double",
    "round_places",
    "scaled",
    "to_double",
]
