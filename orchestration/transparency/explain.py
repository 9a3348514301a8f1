"""Drill-down of one invoice or chargeback line to the source files and rows behind it, read from the marts only
(marts.fct_invoice_line_lineage, marts.fct_chargeback_line_lineage and the line marts), so it works on the live
warehouse opened read-only and on the published copy alike. Every rule lives in those dbt marts; this module
selects, sums for display and renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb

PIECES_SHOWN = 20
"""The largest pieces a step lists by default; the rest are summed in one line."""


class ExplainError(ValueError):
    """A refusal a person can act on (unknown invoice, no such line, a draft): one line."""


@dataclass
class Step:
    """One link of the chain: what was applied (text) and the rows it rests on (a small table)."""

    title: str
    text: str
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[object, ...]] = field(default_factory=list)
    total_rows: int = 0
    more: str | None = None  # "... and N more pieces totalling X" when rows were capped


@dataclass
class Explanation:
    """A line's header and the chain of steps down to the source rows."""

    title: str
    header: dict[str, object]
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render_text(self) -> str:
        out = [self.title]
        for step in self.steps:
            out.append("")
            out.append(f"{step.title}: {step.text}" if step.text else step.title)
            if step.columns and step.rows:
                out.extend("  " + line for line in _table(step.columns, step.rows))
            if step.more:
                out.append(f"  {step.more}")
        for note in self.notes:
            out.append("")
            out.append(f"note: {note}")
        return "\n".join(out)


@dataclass(frozen=True)
class ChargebackLineChoice:
    """One chargeback or showback line, for a picker: the arguments of explain_chargeback_line."""

    period: date
    department_id: str
    service_id: str
    cost_center_id: str
    rate_item: str
    amount: Decimal | None
    currency: str
    mode: str


@dataclass(frozen=True)
class InvoiceLineChoice:
    """One line of an issued invoice, for a picker."""

    line_number: int
    line_type: str
    description: str
    amount: Decimal
    currency: str


# ---------------------------------------------------------------------------------------------------------- helpers


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(sql, params)
    return [d[0] for d in cursor.description], cursor.fetchall()


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> dict[str, object] | None:
    columns, rows = _rows(con, sql, params)
    return dict(zip(columns, rows[0], strict=True)) if rows else None


def number(value: object) -> str:
    """A decimal as short text: no exponent, no trailing zeros."""
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def source_text(source_file: object, source_row: object, source_key: object) -> str:
    """Where a piece comes from: `landing/<file>:<row>` for a delivered file, `seeds/<file> [<key>]` for a seed row,
    `<mart> [<key>]` for another line."""
    if source_file is None:
        return "-"
    path = str(source_file)
    if not path.startswith(("seeds/", "marts.", "landing/", "/")):
        path = f"landing/{path}"
    if source_row is not None:
        return f"{path}:{source_row}"
    return f"{path} [{source_key}]" if source_key is not None else path


def _table(columns: list[str], rows: list[tuple[object, ...]]) -> list[str]:
    cells = [[number(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in [columns, *cells]) for i in range(len(columns))]
    numeric = {
        i for i in range(len(columns)) if any(isinstance(row[i], Decimal | int) for row in rows if row[i] is not None)
    }
    return [
        "  ".join(
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [columns, *cells]
    ]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def _require(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    missing = [name for name in names if not _has_table(con, name)]
    if missing:
        raise ExplainError(
            f"this warehouse has no marts.{missing[0]}; close a month with this version (`billing close`) first"
        )


# ---------------------------------------------------------------------------------------------------------- invoices


def invoice_lines(con: duckdb.DuckDBPyConnection, invoice_number: str) -> list[InvoiceLineChoice]:
    """The lines of an issued invoice or note, in order (for the dashboard's picker)."""
    invoice_id = _issued_invoice_id(con, invoice_number)
    rows = con.execute(
        "select line_number, line_type, description, amount, currency from marts.fct_invoice_lines "
        "where invoice_id = ? order by line_number",
        [invoice_id],
    ).fetchall()
    return [InvoiceLineChoice(int(r[0]), str(r[1]), str(r[2]), r[3], str(r[4])) for r in rows]


def issued_invoice_numbers(con: duckdb.DuckDBPyConnection, client_ids: list[str] | None = None) -> list[str]:
    """Numbers of the issued invoices and notes, newest period first; only those of `client_ids` when given."""
    _require(con, "fct_invoices")
    sql = "select invoice_number from marts.fct_invoices where status = 'finalized' and invoice_number is not null"
    params: list[object] = []
    if client_ids is not None:
        sql += " and list_contains(?, client_id)"
        params.append(client_ids)
    sql += " order by billing_period_start desc, invoice_number"
    return [str(r[0]) for r in con.execute(sql, params).fetchall()]


def _issued_invoice_id(con: duckdb.DuckDBPyConnection, invoice_number: str) -> str:
    _require(con, "fct_invoices", "fct_invoice_lines", "fct_invoice_line_lineage")
    number_text = invoice_number.strip()
    row = con.execute(
        "select invoice_id, status from marts.fct_invoices where invoice_number = ?", [number_text]
    ).fetchone()
    if row is not None:
        return str(row[0])
    draft = con.execute(
        "select status, invoice_number from marts.fct_invoices where invoice_id = ?", [number_text]
    ).fetchone()
    if draft is not None and draft[1] is not None:
        raise ExplainError(f"{number_text} is an invoice id; it was issued as {draft[1]}: explain {draft[1]}:<line>")
    if draft is not None:
        raise ExplainError(
            f"{number_text} is a {draft[0]} invoice, not issued yet: only issued invoices are explained "
            "(close its month with `billing close` to issue it)"
        )
    raise ExplainError(
        f"no issued invoice or note numbered {number_text!r} in this warehouse; "
        "`billing invoices list` shows the numbers"
    )


PIECE_COLUMNS = (
    "piece_number as piece, piece_type as type, piece_key as key, allocation_rule_id as rule, share_ratio as share, "
    "piece_quantity as quantity, piece_unit as unit, piece_cost as cost, piece_currency as cur, "
    "source_file, source_row, source_key"
)
CHARGEBACK_PIECE_COLUMNS = (
    "cost_center_id as cost_center, piece_type as type, piece_key as key, allocation_rule_id as rule, "
    "share_ratio as share, piece_quantity as quantity, piece_unit as unit, piece_cost as cost, "
    "billing_currency as cur, source_file, source_row, source_key"
)


def explain_invoice_line(
    con: duckdb.DuckDBPyConnection, invoice_number: str, line_number: int, *, piece_limit: int | None = PIECES_SHOWN
) -> Explanation:
    """The chain behind line `line_number` of issued invoice (or note) `invoice_number`: the line, its pricing rule,
    FX and tax, then every piece behind it (the `piece_limit` largest, None = all) with its source file and row."""
    invoice_id = _issued_invoice_id(con, invoice_number)
    line = _one(
        con,
        "select lines.*, invoices.invoice_number, invoices.original_invoice_number "
        "from marts.fct_invoice_lines as lines join marts.fct_invoices as invoices using (invoice_id) "
        "where lines.invoice_id = ? and lines.line_number = ?",
        [invoice_id, line_number],
    )
    if line is None:
        count = con.execute(
            "select count(*) from marts.fct_invoice_lines where invoice_id = ?", [invoice_id]
        ).fetchone()
        raise ExplainError(f"{invoice_number} has no line {line_number}: its lines are 1..{count[0] if count else 0}")
    rule = _one(
        con,
        "select pricing_model, contract_id, contract_version, price_id, unit_price, price_source_file, "
        "price_source_key, fx_from_currency, fx_to_currency, fx_rate, fx_rate_date, tax_category_code, tax_rate, "
        "line_is_current "
        "from marts.fct_invoice_line_lineage where invoice_id = ? and line_number = ? limit 1",
        [invoice_id, line_number],
    )
    currency = str(line["currency"])
    title = (
        f"{line['invoice_number']} line {line_number} ({line['client_id']}, {str(line['billing_period_start'])[:7]}, "
        f"{line['line_type']}): {line['description']}\n"
        f"  {number(line['quantity'])} {line['unit'] or ''} x {number(line['unit_price'])} = "
        f"{number(line['amount'])} {currency}, tax {number(line['tax_amount'])} {currency}"
    )
    explanation = Explanation(title=title, header={**line, **(rule or {})})
    explanation.steps.append(_pricing_step(line, rule))
    explanation.steps.append(_fx_step(line))
    explanation.steps.append(_tax_step(line))
    explanation.steps.extend(_invoice_piece_steps(con, invoice_id, explanation.header, piece_limit, explanation.notes))
    return explanation


def _pricing_step(line: dict[str, object], rule: dict[str, object] | None) -> Step:
    if line["pricing_model"] is None:
        return Step(
            "pricing rule",
            f"a {str(line['document_type']).replace('_', ' ')} line correcting {line['original_invoice_number']}: "
            f"{line['reference']}",
        )
    source = "-"
    if rule is not None and rule["price_source_file"]:
        source = f"{rule['price_source_file']} [{rule['price_source_key']}]"
    return Step(
        "pricing rule",
        f"{line['pricing_model']} price {line['price_id']} of contract {line['contract_id']} version "
        f"{line['contract_version']} ({line['reference']})",
        ["pricing_model", "contract", "version", "price_id", "unit_price", "price_currency", "rule row"],
        [
            (
                line["pricing_model"],
                line["contract_id"],
                line["contract_version"],
                line["price_id"],
                line["unit_price"],
                line["price_currency"],
                source,
            )
        ],
        1,
    )


def _fx_step(line: dict[str, object]) -> Step:
    if line["fx_rate"] is None:
        return Step("FX", "none: a note line is in the invoice currency already")
    if line["price_currency"] == line["currency"] or line["fx_rate_date"] is None:
        return Step("FX", f"none: priced in {line['currency']}, the invoice currency (rate 1)")
    return Step(
        "FX",
        f"{number(line['price_amount'])} {line['price_currency']} x {number(line['fx_rate'])} "
        f"({line['price_currency']}->{line['currency']} of {line['fx_rate_date']}, {line['fx_source']}) = "
        f"{number(line['amount'])} {line['currency']}, rounded once to the currency's minor units",
    )


def _tax_step(line: dict[str, object]) -> Step:
    rate = line["tax_rate"]
    percent = number(rate * 100) if isinstance(rate, Decimal) else "-"
    reason = f"; {line['exemption_reason']}" if line["exemption_reason"] else ""
    return Step(
        "tax",
        f"{line['tax_category']} in {line['tax_jurisdiction_id']}: category {line['tax_category_code']} at "
        f"{percent} % = {number(line['tax_amount'])} {line['currency']}{reason}",
    )


def _piece_step(
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str,
    params: list[object],
    title: str,
    limit: int | None,
    order: str = "piece_number",
    columns: str = PIECE_COLUMNS,
) -> tuple[Step, list[tuple]]:
    present = _columns_of(con, table)
    cost_total = "sum(piece_cost)" if "piece_cost" in present else "null"
    totals = con.execute(
        f"select count(*), sum(piece_quantity), {cost_total}, count(distinct source_file) from {table} where {where}",
        params,
    ).fetchone()
    count = int(totals[0]) if totals else 0
    sql = f"select {_readable(columns, present)} from {table} where {where} order by {order}, piece_key"
    if limit is not None:
        sql += f" limit {int(limit)}"
    names, rows = _rows(con, sql, params)
    key = names.index("key")
    kind = names.index("type")
    shown = [(*row[:key], _piece_key(row[kind], row[key]), *row[key + 1 : -3], source_text(*row[-3:])) for row in rows]
    step = Step(title, "", [*names[:-3], "source"], shown, count)
    if count > len(rows) and totals is not None:
        quantity, cost = names.index("quantity"), names.index("cost")
        step.more = (
            f"... and {count - len(rows)} more pieces totalling quantity "
            f"{number(_rest(totals[1], [row[quantity] for row in rows]))}, cost "
            f"{number(_rest(totals[2], [row[cost] for row in rows]))} (--all lists them)"
        )
    return step, rows


def _piece_key(piece_type: object, key: object) -> str:
    """An allocated charge piece is keyed by its charge id and the cost centers it went through; the charge is
    named by its source file and row, so show the path only."""
    text = str(key)
    if piece_type == "driver" and ":" in text:
        return "charge"  # a driver charge, named by its source file and row
    if piece_type != "usage":
        return text
    _, _, path = text.partition(">")
    return f">{path}" if path else "direct"


def _columns_of(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    schema, _, name = table.rpartition(".")
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema or "marts", name],
    ).fetchall()
    return {row[0] for row in rows}


def _readable(columns: str, present: set[str]) -> str:
    """The select list with every column the reader's extract lacks shown as null: a published client extract
    drops internal cost and allocation columns (seeds/publication_restricted_columns.csv)."""
    parts = []
    for part in (p.strip() for p in columns.split(",")):
        expression, _, alias = part.partition(" as ")
        parts.append(part if expression in present else f"null as {alias or expression}")
    return ", ".join(parts)


def _rest(total: object, shown: list[object]) -> Decimal | None:
    if not isinstance(total, Decimal):
        return None
    return total - sum((value for value in shown if isinstance(value, Decimal)), Decimal(0))


def _invoice_piece_steps(
    con: duckdb.DuckDBPyConnection,
    invoice_id: str,
    line: dict[str, object],
    limit: int | None,
    notes: list[str],
) -> list[Step]:
    where = "invoice_id = ? and line_number = ?"
    params: list[object] = [invoice_id, line["line_number"]]
    step, _ = _piece_step(con, "marts.fct_invoice_line_lineage", where, params, "pieces", limit)
    kinds = con.execute(
        "select piece_type, count(*), sum(piece_quantity), min(piece_unit), count(distinct source_file) "
        f"from marts.fct_invoice_line_lineage where {where} group by piece_type order by piece_type",
        params,
    ).fetchall()
    step.text = "; ".join(
        f"{n} {kind} piece{'s' if n != 1 else ''} totalling {number(total)} {unit or ''}".rstrip()
        + (f" from {files} file{'s' if files != 1 else ''}" if kind in ("usage", "sla_measurement") else "")
        for kind, n, total, unit, files in kinds
    )
    steps = [step]
    usage_total = next((total for kind, _, total, _, _ in kinds if kind == "usage"), None)
    if line.get("line_is_current") is False:
        notes.append(
            f"the period was restated after this line was issued for {number(line['quantity'])}: the pieces above "
            f"are today's (usage {number(usage_total)}), and the difference is on a credit or debit note"
        )
    referenced = con.execute(
        "select source_key from marts.fct_invoice_line_lineage where invoice_id = ? and line_number = ? "
        "and piece_type = 'line' order by piece_number",
        params,
    ).fetchall()
    if referenced:
        steps.append(_lines_behind(con, [str(r[0]) for r in referenced]))
    return steps


def _lines_behind(con: duckdb.DuckDBPyConnection, keys: list[str]) -> Step:
    """For each line a line rests on: how many pieces stand behind it, its largest piece's source and how many
    source files in all."""
    rows = con.execute(
        """
        with keys as (select unnest(?::varchar[]) as source_key)
        select
            lineage.invoice_id || '#' || lineage.line_number as line,
            any_value(lineage.line_type) as line_type,
            count(*) as pieces,
            sum(lineage.piece_quantity) as quantity,
            min(lineage.piece_unit) as unit,
            count(distinct lineage.source_file) as files,
            arg_min(lineage.source_file, lineage.piece_number) as first_file,
            arg_min(lineage.source_row, lineage.piece_number) as first_row,
            arg_min(lineage.source_key, lineage.piece_number) as first_key
        from keys
        join marts.fct_invoice_line_lineage as lineage
            on keys.source_key = lineage.invoice_id || '#' || lineage.line_number
        group by lineage.invoice_id, lineage.line_number
        order by lineage.invoice_id, lineage.line_number
        """,
        [keys],
    ).fetchall()
    shown = []
    for line, line_type, pieces, quantity, unit, files, first_file, first_row, first_key in rows:
        others = f" (largest piece; {files} source files)" if files > 1 else " (largest piece)"
        shown.append((line, line_type, pieces, quantity, unit, source_text(first_file, first_row, first_key) + others))
    return Step(
        "behind those lines",
        "each line's own pieces (explain that line for every row)",
        ["line", "type", "pieces", "quantity", "unit", "source"],
        shown,
        len(shown),
    )


# ---------------------------------------------------------------------------------------------------------- chargeback


def chargeback_lines(
    con: duckdb.DuckDBPyConnection, period: date | None = None, department_ids: list[str] | None = None
) -> list[ChargebackLineChoice]:
    """The chargeback and showback lines (of `period`, of `department_ids` when given), for a picker."""
    _require(con, "fct_chargeback_lines")
    sql = (
        "select billing_period_start, department_id, service_id, cost_center_id, rate_item, sum(amount), "
        "billing_currency, mode from marts.fct_chargeback_lines where true"
    )
    params: list[object] = []
    if period is not None:
        sql += " and billing_period_start = ?"
        params.append(period)
    if department_ids is not None:
        sql += " and list_contains(?, department_id)"
        params.append(department_ids)
    sql += " group by all order by billing_period_start desc, department_id, service_id, cost_center_id, rate_item"
    return [ChargebackLineChoice(*row) for row in con.execute(sql, params).fetchall()]


def explain_chargeback_line(
    con: duckdb.DuckDBPyConnection,
    period: date,
    department_id: str,
    service_id: str,
    cost_center_id: str | None = None,
    rate_item: str | None = None,
    *,
    piece_limit: int | None = PIECES_SHOWN,
) -> Explanation:
    """The chain behind a department's chargeback (or showback) of one IT service in one month: its line(s) (one
    per cost center, SKU or resource as the policy splits them; narrow with `cost_center_id` / `rate_item`), the
    rate card version and rate, the quantity rule, then every piece with its allocation rule, share and source."""
    _require(con, "fct_chargeback_lines", "fct_chargeback_line_lineage")
    where = "billing_period_start = ? and department_id = ? and service_id = ?"
    params: list[object] = [period, department_id.strip(), service_id.strip()]
    if cost_center_id:
        where += " and cost_center_id = ?"
        params.append(cost_center_id.strip())
    if rate_item:
        where += " and rate_item = ?"
        params.append(rate_item.strip())
    columns, lines = _rows(
        con,
        "select cost_center_id, sku_id, resource_id, rate_item, quantity, unit, unit_rate, bundle_discount_percent, "
        f"amount, allocated_cost, billing_currency, mode, rate_card_version from marts.fct_chargeback_lines "
        f"where {where} order by cost_center_id, sku_id nulls first, resource_id nulls first, billing_currency, mode",
        params,
    )
    if not lines:
        known = con.execute(
            "select string_agg(distinct service_id, ', ' order by service_id) from marts.fct_chargeback_lines "
            "where billing_period_start = ? and department_id = ?",
            params[:2],
        ).fetchone()
        scope = f"/{cost_center_id}" if cost_center_id else ""
        scope += f" ({rate_item})" if rate_item else ""
        hint = f"; its services that month: {known[0]}" if known and known[0] else "; it has no line that month"
        raise ExplainError(f"no chargeback line {period:%Y-%m}/{department_id}/{service_id}{scope}{hint}")
    header = {"billing_period_start": period, "department_id": department_id, "service_id": service_id}
    amounts = ", ".join(f"{number(row[8])} {row[10]} ({row[11]}, {row[0]})" for row in lines[:5]) + (
        f", ... {len(lines) - 5} more" if len(lines) > 5 else ""
    )
    explanation = Explanation(
        title=f"chargeback {period:%Y-%m}/{department_id}/{service_id}: {len(lines)} line(s): {amounts}",
        header=header,
    )
    explanation.steps.append(Step("lines", "as charged (fct_chargeback_lines)", columns, lines, len(lines)))
    rates = sorted({(row[12], row[3], row[6], row[5], row[7]) for row in lines}, key=lambda r: tuple(map(str, r)))
    explanation.steps.append(
        Step(
            "rate card",
            "; ".join(
                f"{version or 'no published rate card'}: {item} at {number(rate)} per {unit}"
                + (f" less the bundle's {number(discount)} %" if discount else "")
                for version, item, rate, unit, discount in rates
            ),
        )
    )
    unit_price = any(row[3] == "unit_price" for row in lines)
    rule = (
        "unit_price: quantity = the cost center's driver quantity of the pool providing the service "
        "(driver pieces below), amount = quantity x unit rate"
        if unit_price
        else "cost recovery: quantity = the allocated effective cost of the usage pieces below, "
        "amount = quantity x unit rate"
    )
    explanation.steps.append(Step("quantity rule", rule))
    step, _ = _piece_step(
        con,
        "marts.fct_chargeback_line_lineage",
        where,
        params,
        "pieces",
        piece_limit,
        order="case when piece_type = 'driver' then 0 else 1 end, coalesce(piece_quantity, piece_cost) desc nulls last",
        columns=CHARGEBACK_PIECE_COLUMNS,
    )
    kinds = con.execute(
        "select piece_type, count(*), sum(piece_quantity), sum(piece_cost), count(distinct source_file) "
        f"from marts.fct_chargeback_line_lineage where {where} group by piece_type order by piece_type",
        params,
    ).fetchall()
    step.text = "; ".join(
        f"{n} {kind} piece{'s' if n != 1 else ''}: quantity {number(quantity)}, cost {number(cost)} "
        f"from {files} file{'s' if files != 1 else ''}"
        for kind, n, quantity, cost, files in kinds
    )
    explanation.steps.append(step)
    return explanation
