"""An issued document's evidence files are CSV renderings of warehouse rows, frozen at issue and hashed: every type
renders one way (a missing value empty, dates and timestamps in ISO 8601, exact decimals as `str(Decimal)` writes
them, Python's csv quoting). DuckDB writes the big ones itself (orchestration/invoicing/evidence_csv.py): its bytes
must be the Python rendering's, value for value, in the query's order."""

from __future__ import annotations

import random

import duckdb
import pytest

from orchestration.invoicing import documents
from orchestration.invoicing.evidence_csv import evidence_csv, python_csv

# Texts that a CSV writer quotes, escapes or leaves alone; DuckDB's own writer quotes a carriage return and a leading
# `#`, Python's does not.
AWKWARD_TEXTS = [
    "", "a", "a,b", 'q"u', '"', ",", "line\nbreak", "cr\rx", "crlf\r\nx", " lead", "trail ", "\ttab", "#x", "é ü 中",
    "NULL", "None", "\\", "  ",
]  # fmt: skip
AMOUNTS = ["0", "1", "-1", "1e-10", "-1e-10", "12.5", "1e-6", "1e-7", "1.5e-9", "123456789.0123456789", "-0.000001",
           "0.0000012345", "5e-8", "-99999999.5"]  # fmt: skip
TIMESTAMPS = [
    "2026-10-31 23:59:59.123456",
    "2026-10-01 00:00:00",
    "0999-01-01 00:00:00.5",
    "2026-01-01 12:00:00.000001",
]


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


@pytest.fixture(scope="module")
def awkward_rows() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    rng = random.Random(20261205)
    rows = [
        (
            i,
            rng.choice([*AWKWARD_TEXTS, None]),
            rng.choice([*AMOUNTS, None]),
            rng.choice([True, False, None]),
            rng.choice([*TIMESTAMPS, None]),
            rng.choice(["2026-10-01", "0999-12-31", None]),
            rng.choice([0, -5, 2**40, None]),
        )
        for i in range(3000)
    ]
    con.execute("create table t (i integer, s varchar, d varchar, b boolean, ts varchar, dt varchar, n bigint)")
    con.executemany("insert into t values (?, ?, ?, ?, ?, ?, ?)", rows)
    return con


@pytest.mark.parametrize("scale", [0, 2, 4, 10])
def test_duckdb_writes_the_python_renderings_bytes_in_the_querys_order(
    awkward_rows: duckdb.DuckDBPyConnection, scale: int
) -> None:
    sql = f"""
        select i, s as "note, quoted", cast(cast(d as double) as decimal(38, {scale})) as amount, b as is_final,
               cast(ts as timestamp) as closed_at, cast(dt as date) as day, n, cast(n as hugeint) as big,
               cast(i as smallint) as small
        from t where i >= ? order by md5(cast(i as varchar))
    """
    rendered = evidence_csv(awkward_rows, sql, [0])
    assert rendered == python_csv(awkward_rows, sql, [0])
    lines = rendered.decode().split("\n")
    assert lines[0] == 'i,"note, quoted",amount,is_final,closed_at,day,n,big,small'
    expected_order = [i for (i,) in awkward_rows.execute("select i from t order by md5(cast(i as varchar))").fetchall()]
    assert expected_order != sorted(expected_order)  # the order is the query's, not the rows' insertion order
    firsts = [int(line.split(",", 1)[0]) for line in lines[1:] if line[:1].isdigit() and "," in line]
    assert firsts[:50] == expected_order[:50] and firsts[-50:] == expected_order[-50:]


def test_a_column_duckdb_cannot_vouch_for_is_rendered_by_python(awkward_rows: duckdb.DuckDBPyConnection) -> None:
    sql = "select i, cast(i as double) / 3 as third, [i] as listed from t where i < ? order by i"
    assert (
        evidence_csv(awkward_rows, sql, [3])
        == b"i,third,listed\n0,0.0,[0]\n1,0.3333333333333333,[1]\n2,0.6666666666666666,[2]\n"
    )


def test_evidence_of_many_rows_keeps_every_row_in_order() -> None:
    con = duckdb.connect()
    evidence = documents._evidence(
        con,
        "allocated_charges.csv",
        "Rows beyond one fetch.",
        "select i as row_number, timestamp '2026-10-01' + to_seconds(i) as at from range(250001) as r(i) "
        "order by i desc",
        [],
    )
    lines = evidence.content.decode().splitlines()
    assert lines[0] == "row_number,at"
    assert len(lines) == 250002
    assert lines[1] == "250000,2026-10-03T21:26:40"
    assert lines[-1] == "0,2026-10-01T00:00:00"


def test_two_columns_of_one_name_keep_their_header(awkward_rows: duckdb.DuckDBPyConnection) -> None:
    sql = "select i as n, i + 1000 as n from t where i < ? order by i"
    assert evidence_csv(awkward_rows, sql, [1]) == python_csv(awkward_rows, sql, [1])
    assert evidence_csv(awkward_rows, sql, [1]).split(b"\n")[0] == b"n,n"
