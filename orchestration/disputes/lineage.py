"""What stands behind a disputed line, read from the warehouse (read-only): the line as issued or charged, the
contract version and price rows or the rate card version, and the usage rows with their source file and row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

USAGE_ROWS_SHOWN = 20

# A client's allocated charge pieces with their source file and row. An IT service's pieces are found as pricing
# finds them (int_client_usage): a piece spread from a shared pool is that pool's service; a piece incurred
# directly is mapped by FOCUS ServiceCategory, a mapping that names the ServiceName too winning.
USAGE_SQL = """
select a.charge_id, a.source, f.x_SourceFile as source_file, f.x_SourceRow as source_row, a.service_name,
       a.cost_center_id, a.allocated_effective_cost, a.billing_currency, a.allocation_rule_id
from intermediate.int_charges_allocated as a
left join marts.focus_cost_and_usage as f on f.x_ChargeId = a.charge_id
where {scope} and a.billing_period_start = cast(? as date) {service_filter}
order by a.allocated_effective_cost desc, a.charge_id
"""
SERVICE_FILTER = """
and coalesce(
    (select s.it_service_id from staging.stg_reference__it_services as s
     where s.pool_cost_center_id = a.provider_pool_cost_center_id),
    (select m.it_service_id from staging.stg_reference__it_service_mappings as m
     where a.provider_pool_cost_center_id is null and m.service_category = a.service_category
       and m.service_name = a.service_name),
    (select m.it_service_id from staging.stg_reference__it_service_mappings as m
     where a.provider_pool_cost_center_id is null and m.service_category = a.service_category
       and m.service_name is null)
) = ?
"""


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[tuple]
    total_rows: int


@dataclass
class Lineage:
    sections: list[Section] = field(default_factory=list)
    unavailable: str | None = None  # why the warehouse could not be read


def _section(con: duckdb.DuckDBPyConnection, title: str, sql: str, params: list[object], limit: int = 50) -> Section:
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return Section(title, columns, rows[:limit], len(rows))


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def dispute_lineage(warehouse: Path, record: dict[str, object]) -> Lineage:
    if not warehouse.exists():
        return Lineage(unavailable=f"no warehouse at {warehouse}")
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        first = str(error).splitlines()[0]
        return Lineage(
            unavailable=f"the warehouse is busy (a close is probably running: {first}); run this again after it ends"
        )
    with con:
        if record["target_type"] == "invoice_line":
            return _invoice_line(con, str(record["invoice_number"]), int(str(record["line_number"])))
        return _chargeback_line(con, record)


def _invoice_line(con: duckdb.DuckDBPyConnection, number: str, line_number: int) -> Lineage:
    lineage = Lineage()
    header = con.execute(
        "select invoice_id, client_id, billing_period_start, contract_id, contract_version from audit.issued_invoices "
        "where invoice_number = ?",
        [number],
    ).fetchone()
    if header is None:
        return Lineage(unavailable=f"{number} is not in audit.issued_invoices of this warehouse")
    invoice_id, client_id, period, contract_id, contract_version = header
    lineage.sections.append(
        _section(
            con,
            f"line {line_number} of {number} as issued",
            "select line_number, line_type, description, quantity, unit, unit_price, amount, currency, "
            "tax_category_code, tax_rate, tax_amount, pricing_model, price_id, service_id, fx_rate, fx_rate_date, "
            "source_row_count "
            "from audit.issued_invoice_lines where invoice_id = ? and line_number = ?",
            [invoice_id, line_number],
        )
    )
    service, price_id = con.execute(
        "select service_id, price_id from audit.issued_invoice_lines where invoice_id = ? and line_number = ?",
        [invoice_id, line_number],
    ).fetchone() or (None, None)
    if contract_id:
        lineage.sections.append(
            _section(
                con,
                f"contract {contract_id} version {contract_version}",
                "select * from staging.stg_reference__contracts where contract_id = ? and contract_version = ?",
                [contract_id, contract_version],
            )
        )
        if price_id and _exists(con, "staging.stg_reference__contract_prices"):
            lineage.sections.append(
                _section(
                    con,
                    f"price {price_id} of that contract version (the client's rate card)",
                    "select * from staging.stg_reference__contract_prices "
                    "where contract_id = ? and contract_version = ? and price_id = ?",
                    [contract_id, contract_version, price_id],
                )
            )
    lineage.sections.append(
        _section(
            con,
            f"usage behind it: allocated charges of {client_id} in {period:%Y-%m}"
            + (f" for {service}" if service else ""),
            USAGE_SQL.format(
                scope="a.cost_center_owner_type = 'client' and a.client_id = ?",
                service_filter=SERVICE_FILTER if service else "",
            ),
            [client_id, period, *([service] if service else [])],
            limit=USAGE_ROWS_SHOWN,
        )
    )
    return lineage


def _chargeback_line(con: duckdb.DuckDBPyConnection, record: dict[str, object]) -> Lineage:
    lineage = Lineage()
    period, department, service = record["billing_period_start"], record["department_id"], record["service_id"]
    cost_center = record.get("cost_center_id")
    where = "billing_period_start = cast(? as date) and department_id = ? and service_id = ?"
    params: list[object] = [period, department, service]
    if cost_center:
        where += " and cost_center_id = ?"
        params.append(cost_center)
    lineage.sections.append(
        _section(
            con,
            f"chargeback lines of {department} for {service} in {str(period)[:7]}",
            "select cost_center_id, rate_item, quantity, unit, unit_rate, amount, billing_currency, mode, "
            f"rate_card_version, pricing_status, charge_count from marts.fct_chargeback_lines where {where} "
            "order by cost_center_id, rate_item",
            params,
        )
    )
    versions = [
        row[0]
        for row in con.execute(
            f"select distinct rate_card_version from marts.fct_chargeback_lines where {where} "
            "and rate_card_version is not null",
            params,
        ).fetchall()
    ]
    for version in versions:
        lineage.sections.append(
            _section(
                con,
                f"rate card {version} for {service} (published, with who approved it)",
                "select rate_card_version, it_service_id, billing_currency, rate_type, unit, unit_rate, valid_from, "
                "valid_to, approved_by, approved_at, published_by, published_at from raw.ops_published_rate_cards "
                "where rate_card_version = ? and it_service_id = ?",
                [version, service],
            )
        )
    scope = "a.department_id = ?" + (" and a.cost_center_id = ?" if cost_center else "")
    lineage.sections.append(
        _section(
            con,
            f"usage behind it: charges allocated to {department} for {service}, with their source file and row",
            USAGE_SQL.format(scope=scope, service_filter=SERVICE_FILTER),
            [department, *([cost_center] if cost_center else []), period, service],
            limit=USAGE_ROWS_SHOWN,
        )
    )
    return lineage
