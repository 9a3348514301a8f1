"""Presentation helpers shared by the pages: exact money, tables of exact amounts, absent sections."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from orchestration.dashboard.data import minor_units
from orchestration.publish.reader import PublishedView
from orchestration.settings import SEEDS_DIR

SEEDS_KEY = "_billing_seeds_dir"


def places(currency: str) -> int:
    seeds_dir = st.session_state.get(SEEDS_KEY, SEEDS_DIR)
    return minor_units(Path(seeds_dir)).get(currency, 2)


def rounded(value: Any, currency: str) -> Decimal | None:
    """An amount at the currency's minor units (half up), exact: the figure a person reads."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places(currency)), rounding=ROUND_HALF_UP)


def money(value: Any, currency: str) -> str:
    amount = rounded(value, currency)
    return "-" if amount is None else f"{amount:,} {currency}"


def money_by_currency(totals: dict[str, Decimal]) -> str:
    return " · ".join(money(total, currency) for currency, total in totals.items()) or "nothing"


def exact_table(df: pd.DataFrame, amounts: Sequence[str], currency_column: str = "currency") -> None:
    """A table with each amount at its row's currency minor units (Decimal, never float)."""
    shown = df.copy()
    for column in amounts:
        shown[column] = [
            rounded(value, str(currency)) for value, currency in zip(df[column], df[currency_column], strict=True)
        ]
    # One number of decimals for the whole column when every row's currency has the same minor units (2.50, not 2.5).
    decimals = {places(str(currency)) for currency in df[currency_column]}
    config = (
        {column: st.column_config.NumberColumn(format=f"%.{min(decimals)}f") for column in amounts}
        if len(decimals) == 1
        else None
    )
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


def absent(view: PublishedView, table: str, what: str) -> None:
    """One line in place of a section whose mart this scope's release does not have."""
    st.info(f"{what}: not in this release for your scope ({view.scope.scope_id} has no marts.{table}).")


def currency_choice(currencies: Sequence[str], key: str) -> str | None:
    """Amounts in different currencies are never added: pick one."""
    if not currencies:
        return None
    if len(currencies) == 1:
        return currencies[0]
    return st.radio("Currency", list(currencies), horizontal=True, key=key)
