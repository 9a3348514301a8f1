"""Seeded randomness and stable identifiers: the same seed always yields the same bytes.

Each (source, month, purpose) draws from its own `random.Random`, seeded with a text key built from the demo
seed, so a month can be regenerated on its own (the AWS re-delivery) without replaying the other sources.
Identifiers that must not depend on draw order are hashes of their meaning.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from decimal import Decimal

from orchestration.demo.money import round_places, scaled


def rng_for(seed: int, *parts: str) -> random.Random:
    """A Random seeded with 'seed:part1:part2...' (str seeds hash with SHA-512, stable across runs)."""
    return random.Random(":".join([str(seed), *parts]))


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).digest()


def stable_hex(*parts: object, length: int = 16) -> str:
    """Lower-case hex of length `length` derived from `parts`."""
    return _digest(*parts).hex()[:length]


def stable_uuid(*parts: object) -> str:
    """A UUID-shaped (8-4-4-4-12) lower-case hex string derived from `parts`."""
    text = _digest(*parts).hex()
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:32]}"


def stable_digits(*parts: object, length: int = 12) -> str:
    """A string of `length` decimal digits derived from `parts` (first digit non-zero)."""
    number = int.from_bytes(_digest(*parts), "big")
    digits = str(number)[:length]
    return digits if digits[0] != "0" else "1" + digits[1:]


def stable_base32(*parts: object, length: int = 52) -> str:
    """Lower-case base32 text (AWS identity_line_item_id style, up to 52 characters) derived from `parts`."""
    return base64.b32encode(_digest(*parts)).decode().lower()[:length]


def stable_sku(*parts: object, length: int = 14) -> str:
    """Upper-case alphanumeric SKU (AWS product_sku style) derived from `parts`."""
    return stable_base32("sku", *parts, length=length).upper()


def gcp_style_id(*parts: object) -> str:
    """'6F81-5844-456A' style id (GCP service and SKU ids) derived from `parts`."""
    text = stable_hex(*parts, length=12).upper()
    return f"{text[:4]}-{text[4:8]}-{text[8:12]}"


@dataclass(frozen=True)
class Draw:
    """A daily quantity: a uniform integer in [low, high] times 10**-places.

    `per_month` marks an amount held all day (GB stored, a provisioned disk) that is billed per month, so the
    day's quantity is the amount divided by the number of days in the month.
    """

    low: int
    high: int
    places: int = 0
    per_month: bool = False

    def sample(self, rng: random.Random) -> Decimal:
        return scaled(rng.randint(self.low, self.high), self.places)

    def daily(self, rng: random.Random, days_in_month: int, places: int) -> Decimal:
        """The day's quantity; a per-month amount is spread over the month and rounded to `places`."""
        amount = self.sample(rng)
        return round_places(amount / days_in_month, places) if self.per_month else amount
