"""An issued document's evidence files are CSV renderings of warehouse rows, frozen at issue and hashed: every type
renders one way (a missing value empty, dates and timestamps in ISO 8601, exact decimals as stored)."""

from __future__ import annotations

import duckdb

from orchestration.invoicing import documents


def test_evidence_rows_render_every_type_exactly() -> None:
    con = duckdb.connect()
    sql = """
        select * from (values
            (date '2026-10-01', timestamp '2026-10-31 23:59:59.123456', cast(-0.0000000001 as decimal(38,10)),
             true, 'Acme, "Inc."', 3, cast(null as varchar)),
            (cast(null as date), cast(null as timestamp), cast(12.5 as decimal(38,10)), false, 'line
two', cast(null as integer), 'x')
        ) as t(period, closed_at, amount, final, client, quantity, note)
        order by amount
    """
    evidence = documents._evidence(con, "rows.csv", "Two rows of every type.", sql, [])
    assert evidence.content.decode() == (
        "period,closed_at,amount,final,client,quantity,note\n"
        '2026-10-01,2026-10-31T23:59:59.123456,-1E-10,True,"Acme, ""Inc.""",3,\n'
        ',,12.5000000000,False,"line\ntwo",,x\n'
    )


def test_evidence_of_many_rows_keeps_every_row_in_order() -> None:
    con = duckdb.connect()
    evidence = documents._evidence(
        con,
        "allocated_charges.csv",
        "Rows beyond one fetch.",
        "select i as row_number, timestamp '2026-10-01' + to_seconds(i) as at from range(250001) as r(i) order by i",
        [],
    )
    lines = evidence.content.decode().splitlines()
    assert lines[0] == "row_number,at"
    assert len(lines) == 250002
    assert lines[1] == "0,2026-10-01T00:00:00"
    assert lines[-1] == "250000,2026-10-03T21:26:40"
