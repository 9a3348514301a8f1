"""The document model as JSON, for the audit package: what was rendered, readable without this code base.

Decimals are written as strings in plain notation ("-120.00", never a float or "1E+2") so that an auditor's
tool re-adds them exactly; dates are ISO 8601. Field names are the model's.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from orchestration.documents.invoices.model import InvoiceDocument


def document_json(doc: InvoiceDocument) -> bytes:
    """`doc` as UTF-8 JSON, keys in model order, one trailing newline; identical input gives identical bytes."""
    return (json.dumps(_plain(asdict(doc)), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
