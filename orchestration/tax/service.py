"""The plug-in contract for an external tax service (a tax engine that determines tax per client and period).

A service receives one `TaxRequest` per (client_id, billing_period_start, tax_category) that invoicing needs
(the rows of the dbt model int_tax_requests) and returns a `TaxDetermination` for the keys it decides, with
the same fields as int_tax_determination. Keys it leaves out are decided by the seed rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable

# EN 16931 VAT category codes (UNCL5305) and the rounding modes billing.round_tax knows.
TAX_CATEGORY_CODES = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M"})
ROUNDING_MODES = frozenset({"half_up", "half_even", "down"})
# Categories that carry no tax and need an exemption reason on the e-invoice (EN 16931 BR-AE-10, BR-O-10, ...).
EXEMPT_CATEGORY_CODES = frozenset({"AE", "E", "G", "K", "O", "Z"})


@dataclass(frozen=True)
class TaxRequest:
    client_id: str
    billing_period_start: date
    invoice_date: date
    tax_category: str
    contract_id: str | None
    seller_legal_entity_id: str | None
    seller_country: str | None
    seller_subdivision: str | None
    buyer_country: str | None
    buyer_subdivision: str | None
    customer_type: str | None
    buyer_vat_id: str | None
    delivery_region: str | None

    @property
    def key(self) -> tuple[str, date, str]:
        return (self.client_id, self.billing_period_start, self.tax_category)


@dataclass(frozen=True)
class TaxDetermination:
    client_id: str
    billing_period_start: date
    tax_category: str
    seller_legal_entity_id: str | None
    jurisdiction_id: str | None
    treatment: str
    tax_category_code: str
    tax_rate: Decimal
    rounding_mode: str
    exemption_reason: str | None
    exemption_reason_code: str | None
    rule_id: str | None

    @property
    def key(self) -> tuple[str, date, str]:
        return (self.client_id, self.billing_period_start, self.tax_category)


@runtime_checkable
class TaxService(Protocol):
    def determine(self, requests: Sequence[TaxRequest]) -> Sequence[TaxDetermination]: ...
