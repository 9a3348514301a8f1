"""Department statements per billing period, from marts.fct_chargeback_lines: CSV for systems, PDF for people.

A chargeback department's statement lists what it is charged; a showback department's lists the same cost
for information only (its lines carry mode `showback` and are never posted). Amounts are the chargeback
lines' amounts, rounded once in dbt to the currency's minor units; the totals printed are their exact sums.
Nothing here computes money: the documents only present the mart.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from fpdf import FPDF

CSV_HEADER = (
    "billing_period",
    "department_id",
    "department_name",
    "mode",
    "cost_center_id",
    "service_category",
    "service",
    "billing_currency",
    "effective_cost",
    "unit_rate",
    "amount",
    "rate_card_version",
    "charge_count",
)


@dataclass(frozen=True)
class StatementLine:
    cost_center_id: str
    service_category: str
    service: str
    currency: str
    effective_cost: Decimal
    unit_rate: Decimal
    amount: Decimal
    rate_card_version: str
    charge_count: int


@dataclass(frozen=True)
class DepartmentStatement:
    period: date
    department_id: str
    department_name: str
    business_unit_id: str
    mode: str
    lines: list[StatementLine]

    @property
    def totals(self) -> dict[str, Decimal]:
        """Exact sum of the line amounts per currency."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            totals[line.currency] += line.amount
        return dict(sorted(totals.items()))

    @property
    def title(self) -> str:
        return "Showback statement" if self.mode == "showback" else "Chargeback statement"

    @property
    def notice(self) -> str:
        if self.mode == "showback":
            return (
                "For information only: this department is on showback. The cost below is what its services "
                "consumed; nothing is charged or posted."
            )
        return "These amounts are charged to the department's cost centers for the period."


def load_statements(con: duckdb.DuckDBPyConnection, period: date) -> list[DepartmentStatement]:
    """One statement per department with chargeback lines in `period`, lines in a stable order."""
    rows = con.execute(
        """
        select lines.department_id, coalesce(lines.department_name, lines.department_id),
               coalesce(lines.business_unit_id, ''), lines.mode, lines.cost_center_id,
               coalesce(lines.service_category, ''), coalesce(lines.service_id, ''), lines.billing_currency,
               lines.quantity, lines.unit_rate, lines.amount, coalesce(lines.rate_card_version, ''),
               lines.charge_count
        from marts.fct_chargeback_lines as lines
        where lines.billing_period_start = ?
        order by lines.department_id, lines.billing_currency, lines.cost_center_id, lines.service_category,
                 lines.service_id
        """,
        [period],
    ).fetchall()
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    statements = []
    for department_id, department_rows in grouped.items():
        first = department_rows[0]
        lines = [StatementLine(*row[4:]) for row in department_rows]
        statements.append(DepartmentStatement(period, department_id, first[1], first[2], first[3], lines))
    return statements


def write_csv(statement: DepartmentStatement, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for line in statement.lines:
            writer.writerow(
                (
                    f"{statement.period:%Y-%m}",
                    statement.department_id,
                    statement.department_name,
                    statement.mode,
                    line.cost_center_id,
                    line.service_category,
                    line.service,
                    line.currency,
                    line.effective_cost,
                    line.unit_rate,
                    line.amount,
                    line.rate_card_version,
                    line.charge_count,
                )
            )


def _latin1(text: str) -> str:
    # The PDF's built-in Helvetica covers Latin-1; anything else is shown as '?' rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Shorten `text` with an ellipsis until it fits `width` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"{value:,}"


def write_pdf(statement: DepartmentStatement, path: Path) -> None:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    # A fixed creation date (the period's first day) makes the bytes reproducible: a re-close rewrites them equal.
    pdf.set_creation_date(datetime(statement.period.year, statement.period.month, 1, tzinfo=UTC))
    pdf.set_title(f"{statement.title} {statement.department_id} {statement.period:%Y-%m}")
    pdf.set_author("billing platform")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(statement.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, value in (
        ("Department", f"{statement.department_name} ({statement.department_id})"),
        ("Business unit", statement.business_unit_id),
        ("Billing period", f"{statement.period:%Y-%m}"),
        ("Mode", statement.mode),
        ("Rate card", ", ".join(sorted({line.rate_card_version for line in statement.lines}))),
    ):
        pdf.cell(35, 6, _latin1(label))
        pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 5, _latin1(statement.notice), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (22, 46, 62, 12, 30, 18)
    headings = ("Cost center", "Category", "Service", "Cur", "Amount", "Charges")
    pdf.set_font("Helvetica", "B", 9)
    for width, heading in zip(widths, headings, strict=True):
        pdf.cell(width, 6, heading, border="B", align="R" if heading in ("Amount", "Charges") else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in statement.lines:
        cells = (
            line.cost_center_id,
            line.service_category,
            line.service,
            line.currency,
            _amount(line.amount),
            str(line.charge_count),
        )
        for width, heading, text in zip(widths, headings, cells, strict=True):
            pdf.cell(
                width, 5, _fit(pdf, _latin1(text), width - 2), align="R" if heading in ("Amount", "Charges") else "L"
            )
        pdf.ln()
    pdf.set_font("Helvetica", "B", 10)
    for currency, total in statement.totals.items():
        pdf.cell(sum(widths[:3]), 7, "Total", border="T")
        pdf.cell(widths[3], 7, currency, border="T")
        pdf.cell(widths[4], 7, _amount(total), border="T", align="R")
        pdf.cell(widths[5], 7, "", border="T")
        pdf.ln()
    pdf.output(str(path))


def write_statements(con: duckdb.DuckDBPyConnection, period: date, output_dir: Path) -> list[Path]:
    """Write `<output_dir>/statements/<YYYY-MM>/<department>.csv` and `.pdf` for every department of `period`."""
    directory = output_dir / "statements" / f"{period:%Y-%m}"
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for statement in load_statements(con, period):
        for suffix, writer in ((".csv", write_csv), (".pdf", write_pdf)):
            path = directory / f"{statement.department_id}{suffix}"
            temporary = path.with_suffix(suffix + ".tmp")
            writer(statement, temporary)
            temporary.replace(path)  # a reader never sees half a document
            written.append(path)
    return written
