"""How numbers and text are written on the documents, shared by the PDF and the XML renderers.

Amounts are always written with exactly the currency's minor units (JPY 1,000; EUR 1,000.00; KWD 1,000.000):
a reader compares printed figures digit by digit, and EN 16931 validators compare the XML's sums exactly.
Values are validated beforehand to need no rounding, so formatting never changes a figure.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def amount_text(value: Decimal, minor_units: int) -> str:
    """A money amount for people: thousands separators and exactly `minor_units` decimals (-1,234.50)."""
    return f"{value:,.{minor_units}f}"


def amount_xml(value: Decimal, minor_units: int) -> str:
    """A money amount for the XML: no separators, exactly `minor_units` decimals (-1234.50, 1000 for JPY)."""
    return f"{value:.{minor_units}f}"


def plain_number(value: Decimal) -> str:
    """A quantity or price without exponent or trailing zeros: 1.500 -> 1.5, 1E+2 -> 100."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def number_text(value: Decimal) -> str:
    """A quantity or unit price for people: thousands separators, every significant decimal kept."""
    return f"{value.normalize():,f}"


def percent(rate: Decimal) -> str:
    """A tax rate given as a fraction written as a percentage without trailing zeros: 0.19 -> 19, 0.077 -> 7.7."""
    return plain_number(rate * 100)


def date_text(value: date) -> str:
    """ISO dates: unambiguous for an international readership."""
    return value.isoformat()
