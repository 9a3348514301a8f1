"""The external tax service plug-in: configured by BILLING_TAX_SERVICE, its answers validated and written to
raw.external_tax_determinations (replacing earlier answers for the same keys), nothing written without a
service or with an unusable answer, and the table mirrored to the Spark lake like the other raw tables."""

from __future__ import annotations

import dataclasses
import re
import sys
import textwrap
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.engines.lake import sync_lake
from orchestration.ingest.warehouse import ensure_warehouse
from orchestration.settings import load_settings
from orchestration.tax import (
    TaxDetermination,
    TaxRequest,
    TaxService,
    TaxServiceConfigurationError,
    TaxServiceError,
    apply_external_tax_service,
    ensure_tax_tables,
    load_tax_service,
    read_tax_requests,
)

OCTOBER = date(2026, 10, 1)
NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def request(client_id: str, buyer_country: str, customer_type: str = "business") -> TaxRequest:
    return TaxRequest(
        client_id=client_id,
        billing_period_start=OCTOBER,
        invoice_date=date(2026, 10, 31),
        tax_category="it_services",
        contract_id=f"MSA-{client_id}",
        seller_legal_entity_id="LE-DE",
        seller_country="DE",
        seller_subdivision=None,
        buyer_country=buyer_country,
        buyer_subdivision=None,
        customer_type=customer_type,
        buyer_vat_id=None,
        delivery_region="eu-central-1",
    )


class FakeTaxService:
    """Taxes every French buyer at 20 % (S) and leaves the others to the seed rules."""

    def __init__(self) -> None:
        self.calls: list[list[TaxRequest]] = []

    def determine(self, requests: Sequence[TaxRequest]) -> Sequence[TaxDetermination]:
        self.calls.append(list(requests))
        return [
            TaxDetermination(
                client_id=item.client_id,
                billing_period_start=item.billing_period_start,
                tax_category=item.tax_category,
                seller_legal_entity_id=item.seller_legal_entity_id,
                jurisdiction_id="FR",
                treatment="oss_destination",
                tax_category_code="S",
                tax_rate=Decimal("0.20"),
                rounding_mode="half_up",
                exemption_reason=None,
                exemption_reason_code=None,
                rule_id="FAKE-FR",
            )
            for item in requests
            if item.buyer_country == "FR"
        ]


class AnswerService:
    def __init__(self, answer: list[TaxDetermination]) -> None:
        self.answer = answer

    def determine(self, requests: Sequence[TaxRequest]) -> Sequence[TaxDetermination]:
        return self.answer


def rows(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        "select client_id, billing_period_start, tax_category, jurisdiction_id, tax_category_code, tax_rate, "
        "rounding_mode, rule_id, service, determined_at from raw.external_tax_determinations order by client_id"
    ).fetchall()


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_warehouse(connection)
    return connection


@pytest.fixture
def plugin_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An importable module `acme_tax` holding a service instance, its class and a broken attribute."""
    (tmp_path / "acme_tax.py").write_text(
        textwrap.dedent(
            """
            from tests_fake_tax import FakeTaxService

            SERVICE = FakeTaxService()
            NOT_A_SERVICE = 42
            """
        ),
        encoding="utf-8",
    )
    fake_module = type(sys)("tests_fake_tax")
    fake_module.FakeTaxService = FakeTaxService  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests_fake_tax", fake_module)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "acme_tax", raising=False)
    return "acme_tax"


def test_the_service_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BILLING_TAX_SERVICE", raising=False)
    assert load_settings().tax_service is None
    monkeypatch.setenv("BILLING_TAX_SERVICE", " acme_tax:SERVICE ")
    assert load_settings().tax_service == "acme_tax:SERVICE"
    monkeypatch.setenv("BILLING_TAX_SERVICE", "acme_tax")
    with pytest.raises(ValueError, match=re.escape("package.module:attribute")):
        load_settings()


def test_the_registry_loads_an_instance_or_a_class(plugin_module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BILLING_TAX_SERVICE", raising=False)
    settings = load_settings()
    assert load_tax_service(settings) is None
    instance = load_tax_service(dataclasses.replace(settings, tax_service=f"{plugin_module}:SERVICE"))
    assert isinstance(instance, FakeTaxService)
    assert isinstance(instance, TaxService)
    built = load_tax_service(dataclasses.replace(settings, tax_service=f"{plugin_module}:FakeTaxService"))
    assert isinstance(built, FakeTaxService)
    assert built is not instance
    with pytest.raises(TaxServiceConfigurationError, match="no determine"):
        load_tax_service(dataclasses.replace(settings, tax_service=f"{plugin_module}:NOT_A_SERVICE"))
    with pytest.raises(TaxServiceConfigurationError, match="has no 'MISSING'"):
        load_tax_service(dataclasses.replace(settings, tax_service=f"{plugin_module}:MISSING"))
    with pytest.raises(TaxServiceConfigurationError, match="cannot be imported"):
        load_tax_service(dataclasses.replace(settings, tax_service="no_such_tax_module:SERVICE"))


def test_without_a_service_nothing_is_asked_or_written(con: duckdb.DuckDBPyConnection) -> None:
    settings = dataclasses.replace(load_settings(), tax_service=None)
    report = apply_external_tax_service(con, settings, [request("SIRIUS", "FR")])
    assert report.service is None
    assert report.summary() == "tax service: none configured; the seed rules decide every determination"
    assert rows(con) == []


def test_the_configured_service_writes_its_determinations(con: duckdb.DuckDBPyConnection, plugin_module: str) -> None:
    settings = dataclasses.replace(load_settings(), tax_service=f"{plugin_module}:SERVICE")
    requests = [request("SIRIUS", "FR"), request("INITECH", "DE")]
    report = apply_external_tax_service(con, settings, requests, now=NOW)
    assert report.summary() == "tax service acme_tax:SERVICE: 1 determination(s) for 2 request(s)"
    assert rows(con) == [
        (
            "SIRIUS",
            OCTOBER,
            "it_services",
            "FR",
            "S",
            Decimal("0.2000000000"),
            "half_up",
            "FAKE-FR",
            "acme_tax:SERVICE",
            datetime(2026, 11, 2, 6, 0),
        )
    ]
    # Asked again (a rerun of the close): the answer for the same keys replaces the earlier one.
    later = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
    apply_external_tax_service(con, settings, requests, now=later)
    assert [(row[0], row[9]) for row in rows(con)] == [("SIRIUS", datetime(2026, 11, 3, 6, 0))]


def test_a_service_passed_directly_is_used(con: duckdb.DuckDBPyConnection) -> None:
    service = FakeTaxService()
    settings = dataclasses.replace(load_settings(), tax_service=None)
    report = apply_external_tax_service(con, settings, [request("SIRIUS", "FR")], service=service, now=NOW)
    assert report.written == 1
    assert len(service.calls) == 1
    assert str(rows(con)[0][8]).endswith("test_tax_service:FakeTaxService")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"client_id": "GHOST"}, "GHOST 2026-10-01 it_services: not requested"),
        ({"tax_category_code": "AE", "tax_rate": Decimal("0.19")}, "category AE carries rate 0.19, not 0"),
        ({"tax_category_code": "O", "tax_rate": Decimal(0)}, "category O needs an exemption reason"),
        ({"tax_category_code": "X"}, "tax category code 'X' is not UNCL5305"),
        ({"rounding_mode": "ceiling"}, "rounding mode 'ceiling' is not one of"),
        ({"tax_rate": 0.2}, "is not a Decimal fraction in [0, 1)"),
        ({"tax_rate": Decimal(19)}, "is not a Decimal fraction in [0, 1)"),
    ],
)
def test_an_unusable_answer_writes_nothing(
    con: duckdb.DuckDBPyConnection, change: dict[str, object], problem: str
) -> None:
    requests = [request("SIRIUS", "FR")]
    good = FakeTaxService().determine(requests)[0]
    settings = dataclasses.replace(load_settings(), tax_service=None)
    apply_external_tax_service(con, settings, requests, service=AnswerService([good]), now=NOW)
    bad = dataclasses.replace(good, **change)  # type: ignore[arg-type]
    with pytest.raises(TaxServiceError, match=re.escape(problem)):
        apply_external_tax_service(con, settings, requests, service=AnswerService([bad]), now=NOW)
    assert [row[0] for row in rows(con)] == ["SIRIUS"]  # the earlier answer is untouched


def test_a_key_determined_twice_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    requests = [request("SIRIUS", "FR")]
    good = FakeTaxService().determine(requests)[0]
    settings = dataclasses.replace(load_settings(), tax_service=None)
    with pytest.raises(TaxServiceError, match="determined twice"):
        apply_external_tax_service(con, settings, requests, service=AnswerService([good, good]))
    assert rows(con) == []


def test_requests_are_read_from_int_tax_requests(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_tax_requests as select 'SIRIUS' as client_id, date '2026-10-01' as "
        "billing_period_start, date '2026-10-31' as invoice_date, 'it_services' as tax_category, "
        "'MSA-SIRIUS-2026' as contract_id, 'LE-DE' as seller_legal_entity_id, 'DE' as seller_country, "
        "null as seller_subdivision, 'FR' as buyer_country, null as buyer_subdivision, 'business' as customer_type, "
        "'FR40303265045' as buyer_vat_id, 'eu-west-3' as delivery_region, 'EU' as buyer_tax_territory"
    )
    (only,) = read_tax_requests(con, OCTOBER)
    assert only.key == ("SIRIUS", OCTOBER, "it_services")
    assert (only.buyer_country, only.buyer_vat_id, only.delivery_region) == ("FR", "FR40303265045", "eu-west-3")
    assert read_tax_requests(con, date(2026, 9, 1)) == []


def test_a_fresh_warehouse_has_the_table_empty_and_the_lake_mirrors_it(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with duckdb.connect(str(tmp_path / "billing.duckdb")) as con:
        ensure_warehouse(con)
        ensure_tax_tables(con)  # idempotent
        assert con.execute("select count(*) from raw.external_tax_determinations").fetchone() == (0,)
        first = sync_lake(con, lake)
        assert str(lake / "raw" / "external_tax_determinations" / "all") in first.written
        settings = dataclasses.replace(load_settings(), tax_service=None)
        apply_external_tax_service(con, settings, [request("SIRIUS", "FR")], service=FakeTaxService(), now=NOW)
        second = sync_lake(con, lake)
        assert second.written == [str(lake / "raw" / "external_tax_determinations" / "all")]
    with duckdb.connect() as reader:
        mirrored = reader.execute(
            f"select client_id, tax_rate from read_parquet('{lake}/raw/external_tax_determinations/all/*.parquet')"
        ).fetchall()
    assert mirrored == [("SIRIUS", Decimal("0.2000000000"))]
