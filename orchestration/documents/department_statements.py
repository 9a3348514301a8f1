"""Department statements per billing period, from marts.fct_chargeback_lines: CSV for systems, PDF for people.

A department's statement lists what it is charged (lines in mode `chargeback`) and what is shown back to it
for information only (mode `showback`, never posted); the chargeback policy decides the mode per department
or project. Amounts are the chargeback lines' amounts, priced by the published rate card and rounded once in
dbt to the currency's minor units; the totals printed are their exact sums per mode and currency.
Nothing here computes money: the documents only present the mart.
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from fpdf import FPDF

from orchestration.documents.pdf_text import latin1

ROW_HEIGHT = 5.0  # mm, one table row of the PDF
CSV_HEADER = (
    "billing_period",
    "department_id",
    "department_name",
    "mode",
    "cost_center_id",
    "service_id",
    "service_name",
    "sku_id",
    "resource_id",
    "rate_item",
    "quantity",
    "unit",
    "unit_rate",
    "bundle_id",
    "allocated_cost",
    "amount",
    "billing_currency",
    "policy_version",
    "rate_card_version",
    "charge_count",
)


@dataclass(frozen=True)
class StatementLine:
    mode: str
    cost_center_id: str
    service_id: str
    service_name: str
    sku_id: str
    resource_id: str
    rate_item: str
    quantity: Decimal
    unit: str
    unit_rate: Decimal | None
    bundle_id: str
    allocated_cost: Decimal
    amount: Decimal | None
    currency: str
    policy_version: str
    rate_card_version: str
    charge_count: int

    @property
    def detail(self) -> str:
        """What the line is split by below the service (policy granularity): SKU and resource, if any."""
        return " / ".join(part for part in (self.sku_id, self.resource_id) if part)


@dataclass(frozen=True)
class DepartmentStatement:
    period: date
    department_id: str
    department_name: str
    business_unit_id: str
    lines: list[StatementLine]

    @property
    def modes(self) -> set[str]:
        return {line.mode for line in self.lines}

    def totals(self, mode: str) -> dict[str, Decimal]:
        """Exact sum of the priced line amounts of one mode, per currency."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            if line.mode == mode and line.amount is not None:
                totals[line.currency] += line.amount
        return dict(sorted(totals.items()))

    @property
    def title(self) -> str:
        return "Chargeback statement" if "chargeback" in self.modes else "Showback statement"

    @property
    def mode_label(self) -> str:
        return " and ".join(sorted(self.modes))

    @property
    def notice(self) -> str:
        if self.modes == {"showback"}:
            return (
                "For information only: this department is on showback. The amounts below are what its services "
                "would cost at the published rates; nothing is charged or posted."
            )
        if self.modes == {"chargeback"}:
            return "These amounts are charged to the department's cost centers for the period."
        return (
            "Lines marked chargeback are charged to the department's cost centers; lines marked showback are "
            "shown for information only (the chargeback policy shows them back) and are not posted."
        )


def load_statements(con: duckdb.DuckDBPyConnection, period: date) -> list[DepartmentStatement]:
    """One statement per department with chargeback or showback lines in `period`, lines in a stable order."""
    rows = con.execute(
        """
        select lines.department_id, coalesce(lines.department_name, lines.department_id),
               coalesce(lines.business_unit_id, ''), lines.mode, lines.cost_center_id, lines.service_id,
               coalesce(lines.service_name, lines.service_id), coalesce(lines.sku_id, ''),
               coalesce(lines.resource_id, ''), lines.rate_item, lines.quantity, lines.unit, lines.unit_rate,
               coalesce(lines.bundle_id, ''), lines.allocated_cost, lines.amount, lines.billing_currency,
               lines.policy_version, coalesce(lines.rate_card_version, ''), lines.charge_count
        from marts.fct_chargeback_lines as lines
        where lines.billing_period_start = ?
        order by lines.department_id, lines.mode, lines.billing_currency, lines.cost_center_id,
                 lines.service_id, lines.sku_id nulls first, lines.resource_id nulls first,
                 lines.bundle_id nulls first
        """,
        [period],
    ).fetchall()
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    statements = []
    for department_id, department_rows in grouped.items():
        first = department_rows[0]
        lines = [StatementLine(*row[3:]) for row in department_rows]
        statements.append(DepartmentStatement(period, department_id, first[1], first[2], lines))
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
                    line.mode,
                    line.cost_center_id,
                    line.service_id,
                    line.service_name,
                    line.sku_id,
                    line.resource_id,
                    line.rate_item,
                    line.quantity,
                    line.unit,
                    "" if line.unit_rate is None else line.unit_rate,
                    line.bundle_id,
                    line.allocated_cost,
                    "" if line.amount is None else line.amount,
                    line.currency,
                    line.policy_version,
                    line.rate_card_version,
                    line.charge_count,
                )
            )


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` when it fits `width` mm in the current font, else its longest prefix that fits with an ellipsis."""
    if pdf.get_string_width(text) <= width:
        return text
    # A longer prefix is never narrower, so the longest one that fits is found by halving (a 60-character resource
    # id: 6 measurements, not up to 60; fpdf2 measures a string in tens of microseconds).
    fits, too_long = 0, len(text)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if pdf.get_string_width(text[:middle] + "...") <= width:
            fits = middle
        else:
            too_long = middle
    return text[:fits] + "..."


def _amount(value: Decimal | None) -> str:
    if value is None:
        return "not priced"
    return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"{value:,}"


def _number(value: Decimal | None) -> str:
    """A quantity or rate without trailing zeros: 47280.0000000000 -> 47,280; 0.0600000000 -> 0.06."""
    if value is None:
        return ""
    return f"{value.normalize():,f}"


def write_pdf(statement: DepartmentStatement, path: Path) -> None:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    # A fixed creation date (the period's first day) makes the bytes reproducible: a re-close rewrites them equal.
    pdf.set_creation_date(datetime(statement.period.year, statement.period.month, 1, tzinfo=UTC))
    pdf.set_title(f"{statement.title} {statement.department_id} {statement.period:%Y-%m}")
    pdf.set_author("billing platform")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, latin1(statement.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, value in (
        ("Department", f"{statement.department_name} ({statement.department_id})"),
        ("Business unit", statement.business_unit_id),
        ("Billing period", f"{statement.period:%Y-%m}"),
        ("Mode", statement.mode_label),
        ("Policy", ", ".join(sorted({line.policy_version for line in statement.lines}))),
        ("Rate card", ", ".join(sorted({line.rate_card_version for line in statement.lines} - {""}))),
    ):
        pdf.cell(35, 6, latin1(label))
        pdf.cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 5, latin1(statement.notice), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (18, 40, 30, 36, 18, 10, 24, 14)
    headings = ("Cost center", "Service", "SKU / resource", "Quantity", "Rate", "Cur", "Amount", "Mode")
    right_aligned = {"Quantity", "Rate", "Amount"}
    pdf.set_font("Helvetica", "B", 8)
    for width, heading in zip(widths, headings, strict=True):
        pdf.cell(width, 6, heading, border="B", align="R" if heading in right_aligned else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    # Remembered per text and width (one font for every line below): most cells repeat (cost centers, services,
    # currencies, modes), and a department at resource grain has tens of thousands of lines.
    fit = functools.cache(lambda text, width: _fit(pdf, text, width))
    text_width = functools.cache(pdf.get_string_width)
    for line in statement.lines:
        cells = (
            line.cost_center_id,
            line.service_name + (f" ({line.bundle_id})" if line.bundle_id else ""),
            line.detail,
            f"{_number(line.quantity)} {line.unit}",
            _number(line.unit_rate),
            line.currency,
            _amount(line.amount),
            line.mode,
        )
        # Placed with text() where cell() would put it (padded by c_margin, baseline at half the row plus 0.3 of
        # the font size, a new page when the row would cross the bottom margin): cell() costs about seven times
        # as much per call, and these rows were nearly all of a ten-million-line close's statement time.
        if pdf.get_y() + ROW_HEIGHT > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        baseline = top + 0.5 * ROW_HEIGHT + 0.3 * pdf.font_size
        left = pdf.l_margin
        for width, heading, text in zip(widths, headings, cells, strict=True):
            fitted = fit(latin1(text), width - 1)
            if fitted:
                if heading in right_aligned:
                    pdf.text(left + width - pdf.c_margin - text_width(fitted), baseline, fitted)
                else:
                    pdf.text(left + pdf.c_margin, baseline, fitted)
            left += width
        pdf.set_y(top + ROW_HEIGHT)
    pdf.set_font("Helvetica", "B", 9)
    for mode, label in (("chargeback", "Total charged"), ("showback", "Total shown back")):
        for currency, total in statement.totals(mode).items():
            pdf.cell(sum(widths[:5]), 7, label, border="T")
            pdf.cell(widths[5], 7, currency, border="T")
            pdf.cell(widths[6], 7, _amount(total), border="T", align="R")
            pdf.cell(widths[7], 7, "", border="T")
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
