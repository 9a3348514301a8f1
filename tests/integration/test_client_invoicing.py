"""Client invoicing on the closed demo: contracts priced, converted and taxed; issued per legal entity with
gapless numbers; a PDF, a schema-valid e-invoice and an audit package per document; a restated month corrected
by a credit note, never by an edited invoice."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree

from tests.integration.conftest import ClosedDemo, RestatedDemo, document_files

pytestmark = pytest.mark.integration

SEPTEMBER = date(2026, 9, 1)
CII = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}


# Per legal entity one series: the US entity invoices GLOBEX (USD) and UMBRELLA (JPY), the German one INITECH and
# SIRIUS (EUR; SIRIUS from its start in September).
EXPECTED_NUMBERS = [
    ("2026-08", "EBTG-INV-2026-000001", "INITECH"),
    ("2026-09", "EBTG-INV-2026-000002", "INITECH"),
    ("2026-09", "EBTG-INV-2026-000003", "SIRIUS"),
    ("2026-10", "EBTG-INV-2026-000004", "INITECH"),
    ("2026-10", "EBTG-INV-2026-000005", "SIRIUS"),
    ("2026-08", "EBTS-INV-2026-000001", "GLOBEX"),
    ("2026-08", "EBTS-INV-2026-000002", "UMBRELLA"),
    ("2026-09", "EBTS-INV-2026-000003", "GLOBEX"),
    ("2026-09", "EBTS-INV-2026-000004", "UMBRELLA"),
    ("2026-10", "EBTS-INV-2026-000005", "GLOBEX"),
    ("2026-10", "EBTS-INV-2026-000006", "UMBRELLA"),
]
# INITECH: 4,000.00 backup + 232.26 database (2 instances from 2026-08-20: 12 of 31 days) = 4,232.26 + 19 % VAT.
# UMBRELLA: USD 2,500 at the ECB cross rate of the last business day (159.7274922387 on 2026-08-31) = JPY 399,319.
# SIRIUS: reverse charge, no VAT; September from 2026-09-16 09:00: 351 of 720 hours of EUR 2,400 = 1,170.00.
EXPECTED_TOTALS = {
    "EBTG-INV-2026-000001": Decimal("5036.39"),
    "EBTG-INV-2026-000002": Decimal("5664.40"),
    "EBTG-INV-2026-000003": Decimal("1170.00"),
    "EBTS-INV-2026-000001": Decimal("1274.40"),
    "EBTS-INV-2026-000002": Decimal("399319"),
    "EBTS-INV-2026-000003": Decimal("1269.87"),
    "EBTS-INV-2026-000004": Decimal("392492"),
    "EBTG-INV-2026-000004": Decimal("7082.41"),
    "EBTG-INV-2026-000005": Decimal("2400.00"),
    "EBTS-INV-2026-000005": Decimal("1088.76"),
    "EBTS-INV-2026-000006": Decimal("393126"),
}
# INITECH upgrades its backup plan on 2026-10-12 (standard 11 of 31 days, pro 20 of 31), keeps 3 database
# instances (900.00), and its backup availability of 99.413 % (262 minutes down) earns the 10 % SLA credit of
# the month's backup charges (10 % of 5,612.9032258065): each line rounded once, 19 % VAT per line.
EXPECTED_INITECH_OCTOBER = [
    ("subscription", Decimal("1419.35"), Decimal("269.68")),
    ("subscription", Decimal("4193.55"), Decimal("796.77")),
    ("subscription", Decimal("900.00"), Decimal("171.00")),
    ("sla_credit", Decimal("-561.29"), Decimal("-106.65")),
]
# The corrected September extract: 75 minutes of backup downtime, 99.826 % < 99.9 %: 10 % of 4,000.00.
EXPECTED_NOTES = [("EBTG-CRN-2026-000001", "EBTG-INV-2026-000002", Decimal("-476.00"))]
EXPECTED_NOTE_LINES = [("sla_credit", Decimal("-400.00"), Decimal("-76.00"))]


def _invoices(demo: ClosedDemo) -> list[tuple]:
    return demo.query(
        """
        select strftime(billing_period_start, '%Y-%m'), invoice_number, client_id, currency, total
        from marts.fct_invoices where document_type = 'invoice' order by invoice_number
        """
    )


def test_each_legal_entity_numbers_its_invoices_in_three_currencies(closed_demo: ClosedDemo) -> None:
    invoices = _invoices(closed_demo)
    assert [(p, n, c) for p, n, c, _, _ in invoices] == EXPECTED_NUMBERS
    assert {currency for *_, currency, _ in invoices} == {"USD", "EUR", "JPY"}
    assert closed_demo.query("select distinct status from marts.fct_invoices where document_type = 'invoice'") == [
        ("finalized",)
    ]


def test_invoice_totals_are_exact(closed_demo: ClosedDemo) -> None:
    totals = {number: total for _, number, _, _, total in _invoices(closed_demo)}
    assert totals == EXPECTED_TOTALS
    # Cost plus 12.5 % until September: the unrounded line amounts are the client's cost x 1.125, exact to the
    # 10 decimals the warehouse carries before the one rounding to cents (a few lines, each within 0.5e-10).
    for period in ("2026-08-01", "2026-09-01"):
        cost = closed_demo.manifest.allocation[(period, "CC-9100", "USD")]
        priced = closed_demo.query(
            "select sum(price_amount) from marts.fct_invoice_lines where client_id = 'GLOBEX' "
            "and billing_period_start = ? and document_type = 'invoice'",
            [period],
        )[0][0]
        assert abs(priced - cost * Decimal("1.125")) < Decimal("1e-9"), (priced, cost)


def test_october_lines_show_the_upgrade_the_sla_credit_and_the_conversion(closed_demo: ClosedDemo) -> None:
    initech = closed_demo.query(
        """
        select line_type, amount, tax_amount from marts.fct_invoice_lines
        where invoice_id = 'INITECH-2026-10' order by line_number
        """
    )
    assert initech == EXPECTED_INITECH_OCTOBER
    umbrella = closed_demo.query(
        "select price_currency, price_amount, fx_rate, fx_rate_date, amount from marts.fct_invoice_lines "
        "where invoice_id = 'UMBRELLA-2026-10'"
    )
    assert umbrella == [("USD", Decimal("2500"), Decimal("157.2502685285"), date(2026, 10, 30), Decimal("393126"))]
    sirius = closed_demo.query(
        "select tax_category_code, tax_amount, exemption_reason_code from marts.fct_invoice_lines "
        "where client_id = 'SIRIUS' and document_type = 'invoice'"
    )
    assert {row for row in sirius} == {("AE", Decimal(0), "VATEX-EU-AE")}


def test_every_issued_document_has_its_files_with_matching_totals(closed_demo: ClosedDemo) -> None:
    files = document_files(closed_demo)
    numbers = {number for _, number, *_ in files}
    assert numbers == {n for n, *_ in closed_demo.query("select invoice_number from audit.issued_invoices")}
    kinds = {
        "pdf": {"pdf", "audit_package"},
        "einvoice": {"cii_xml", "audit_package"},
        "both": {"facturx_pdf", "cii_xml", "audit_package"},
    }
    by_number: dict[str, set[str]] = {}
    for month, number, total, _method, kind, name, sha in files:
        path = closed_demo.settings.output_dir / month / name
        content = path.read_bytes()
        assert hashlib.sha256(content).hexdigest() == sha, f"{path} differs from the hash recorded at issue"
        by_number.setdefault(number, set()).add(kind)
        if kind == "cii_xml" or kind == "facturx_pdf":
            xml = content if kind == "cii_xml" else get_xml_from_pdf(content, check_xsd=False)[1]
            assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
            grand = etree.fromstring(xml).find(".//ram:GrandTotalAmount", CII)
            assert abs(Decimal(grand.text)) == abs(total), number
        if kind == "audit_package":
            _check_audit_package(path, total)
    assert all(by_number[number] == kinds[method] for _, number, _, method, *_ in files)


def _check_audit_package(path: Path, total: Decimal) -> None:
    with zipfile.ZipFile(path) as package:
        manifest = json.loads(package.read("MANIFEST.json"))
        for entry in manifest["files"]:
            assert hashlib.sha256(package.read(entry["name"])).hexdigest() == entry["sha256"]
        lines = list(csv.DictReader(io.StringIO(package.read("evidence/lines.csv").decode())))
    assert sum(Decimal(line["amount"]) + Decimal(line["tax_amount"]) for line in lines) == total, path.name


def test_a_restated_month_yields_a_credit_note_and_reproduces_every_document(restated_demo: RestatedDemo) -> None:
    restated, before, issued_before = restated_demo.demo, restated_demo.documents_before, restated_demo.issued_before
    assert restated_demo.close.returncode == 0, restated_demo.close.output[-3000:]
    issued_after = restated.query("select * from audit.issued_invoices order by invoice_number")
    # The September invoice is untouched; a credit note against it carries the SLA credit of the restatement.
    assert [row for row in issued_after if row in issued_before] == issued_before
    notes = restated.query(
        """
        select invoice_number, original_invoice_number, total from audit.issued_invoices
        where document_type <> 'invoice'
        """
    )
    assert notes == EXPECTED_NOTES
    after = document_files(restated)
    assert [row for row in after if row in before] == before  # every earlier document still hashes the same
    note_lines = restated.query(
        "select line_type, amount, tax_amount from audit.issued_invoice_lines where document_type = 'credit_note'"
    )
    assert note_lines == EXPECTED_NOTE_LINES
