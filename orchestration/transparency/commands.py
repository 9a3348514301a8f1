"""`billing explain`: the chain from an invoice or chargeback line down to the source files and rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from orchestration.settings import load_settings
from orchestration.transparency.explain import (
    PIECES_SHOWN,
    ExplainError,
    Explanation,
    explain_chargeback_line,
    explain_invoice_line,
)
from orchestration.user_errors import UserError

CHARGEBACK_PATTERN = re.compile(r"(\d{4})-(\d{2})/([^/\s]+)/([^/\s]+)(?:/([^/\s]+))?")


def parse_invoice_target(target: str | None, invoice: str | None, line: int | None) -> tuple[str, int]:
    """INVOICE:LINE, or --invoice and --line."""
    if target is not None:
        if invoice is not None or line is not None:
            raise UserError("give the line either as INVOICE:LINE or with --invoice and --line, not both")
        number, sep, line_text = target.strip().rpartition(":")
        if not sep or not number or not line_text.isdigit():
            raise UserError(f"{target!r} is not INVOICE:LINE; write e.g. `billing explain EBTS-INV-2026-000005:2`")
        return number, int(line_text)
    if invoice is None or line is None:
        raise UserError("--invoice needs --line (the line number on that invoice), e.g. --invoice N --line 2")
    return invoice.strip(), line


def parse_chargeback_target(text: str) -> tuple[date, str, str, str | None]:
    """PERIOD/DEPARTMENT/SERVICE(/COST_CENTER) -> (period, department, service, cost center)."""
    match = CHARGEBACK_PATTERN.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UserError(
            f"--chargeback {text!r} is not PERIOD/DEPARTMENT/SERVICE(/COST_CENTER); "
            "write e.g. --chargeback 2026-10/D-ITOPS/IT-COMPUTE"
        )
    return date(int(match.group(1)), int(match.group(2)), 1), match.group(3), match.group(4), match.group(5)


@contextmanager
def read_only_warehouse(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The live warehouse, opened read-only; a missing or busy one is a one-line error."""
    if not path.exists():
        raise UserError(f"no warehouse at {path}; run `billing demo` and `billing close` first")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        first = str(error).splitlines()[0]
        raise UserError(
            f"the warehouse {path} is busy (a close is probably running: {first}); run this again after it ends"
        ) from None
    with con:
        yield con


def explain(
    target: Annotated[
        str | None, typer.Argument(help="INVOICE:LINE, e.g. EBTS-INV-2026-000005:2.", show_default=False)
    ] = None,
    invoice: Annotated[str | None, typer.Option("--invoice", help="Issued invoice or note number.")] = None,
    line: Annotated[int | None, typer.Option("--line", help="Line number on that invoice.", min=1)] = None,
    chargeback: Annotated[
        str | None,
        typer.Option("--chargeback", help="Chargeback line: PERIOD/DEPARTMENT/SERVICE(/COST_CENTER)."),
    ] = None,
    rate_item: Annotated[
        str | None, typer.Option("--rate-item", help="Chargeback: only lines of this rate item (unit_price, ...).")
    ] = None,
    all_pieces: Annotated[
        bool, typer.Option("--all", help=f"List every piece, not only the {PIECES_SHOWN} largest.")
    ] = False,
) -> None:
    """Print the chain behind one line, down to each source file and row: the line, its pricing rule
    (contract price or rate card, seed row), FX and tax, then every piece behind it (allocated charges with their
    allocation rule and share, subscription changes, SLA measurements, other lines) with the provider export file and
    row or the seed row it comes from. Reads the warehouse read-only (only its marts).

    Invoice line (an issued invoice or note):
      billing explain EBTS-INV-2026-000005:2
      billing explain --invoice EBTS-INV-2026-000005 --line 2
    Chargeback line (PERIOD/DEPARTMENT/SERVICE(/COST_CENTER)):
      billing explain --chargeback 2026-10/D-ITOPS/IT-COMPUTE
      billing explain --chargeback 2026-10/D-DATA/IT-BACKUP/CC-3200 --rate-item unit_price

    The 20 largest pieces are listed, the rest summed in one line; --all lists every piece."""
    limit = None if all_pieces else PIECES_SHOWN
    if chargeback is not None:
        if target is not None or invoice is not None or line is not None:
            raise UserError("explain one line at a time: an invoice line or --chargeback, not both")
        period, department, service, cost_center = parse_chargeback_target(chargeback)
    else:
        if target is None and invoice is None:
            raise UserError(
                "name a line: `billing explain INVOICE:LINE` or `billing explain --chargeback PERIOD/DEPT/SERVICE`"
            )
        number, line_number = parse_invoice_target(target, invoice, line)
    try:
        settings = load_settings()
    except ValueError as error:
        raise UserError(str(error)) from None
    with read_only_warehouse(settings.warehouse_path) as con:
        try:
            result: Explanation
            if chargeback is not None:
                result = explain_chargeback_line(
                    con, period, department, service, cost_center, rate_item, piece_limit=limit
                )
            else:
                result = explain_invoice_line(con, number, line_number, piece_limit=limit)
        except ExplainError as error:
            raise UserError(str(error)) from None
    typer.echo(result.render_text())
