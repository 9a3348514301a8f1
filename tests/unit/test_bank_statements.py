"""Bank statements for receivables: camt.053 (real public samples and a constructed batch) and the CSV layout.

Every refusal is one line naming the file and the row or element (and its line); the totals of the real samples
were counted by reading the files (tests/fixtures/bank_statements/PROVENANCE.md).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.receivables.bank_statements import (
    CSV_COLUMNS,
    BankStatement,
    BankStatementError,
    read_bank_statement,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "bank_statements"
FI_SAMPLE = FIXTURES / "FI_camt_053_sample.xml"
POSTFINANCE_SAMPLE = FIXTURES / "camt.053_P_CH2909000000250094239_1110092698_0_2020112503071366.xml"
GENKGO_V8 = FIXTURES / "genkgo_camt053.v8.xml"
CONSTRUCTED = FIXTURES / "constructed_batch.camt053.v08.xml"
PAYMENTS_CSV = FIXTURES / "payments.csv"
HEADER = ",".join(CSV_COLUMNS)


def _refusal(path: Path) -> str:
    with pytest.raises(BankStatementError) as caught:
        read_bank_statement(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(path.name)
    return message


def _totals(statement: BankStatement) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for entry in statement.entries:
        totals[entry.currency] = totals.get(entry.currency, Decimal(0)) + entry.amount
    return totals


# --- camt.053: real samples ------------------------------------------------------------------------------------


def test_finnish_sample_credits_debits_and_exact_totals() -> None:
    statement = read_bank_statement(FI_SAMPLE)
    assert statement.statement_format == "camt053"
    assert statement.sha256 == hashlib.sha256(FI_SAMPLE.read_bytes()).hexdigest()
    # The file's own TxsSummry agrees: TtlCdtNtries 6 / 23075.00, TtlDbtNtries 4.
    assert len(statement.entries) == 6
    assert _totals(statement) == {"EUR": Decimal("23075.00")}
    assert statement.skipped_debits == 4
    assert statement.skipped_unbooked == 0
    assert [(e.source_row, e.amount, e.bank_reference) for e in statement.entries] == [
        (4, Decimal("2000.00"), "091029ACCTSTMTARCH04"),
        (5, Decimal("500.00"), "091029ACCTSTMTARCH21"),
        (6, Decimal("3000.00"), "091029ACCTSTMTARCH05"),
        (7, Decimal("2120.00"), "091029ACCTSTMTARCH06"),
        (8, Decimal("5455.00"), "091029ACCTSTMTARCH07"),
        (9, Decimal("10000.00"), "091029ACCTSTMTARCH08"),
    ]
    assert all(str(e.amount).endswith(".00") for e in statement.entries)  # exact text kept, no float round trip


def test_finnish_sample_payer_remittance_and_dates() -> None:
    entries = {e.source_row: e for e in read_bank_statement(FI_SAMPLE).entries}
    # Ntry 7: international payment, instructed USD 3200.00, booked EUR 2120.00; the booked entry amount counts.
    international = entries[7]
    assert (international.amount, international.currency) == (Decimal("2120.00"), "EUR")
    assert (international.booking_date, international.value_date) == (date(2009, 10, 29), date(2009, 10, 30))
    assert international.payer_name == "DEBTOR NAME"
    assert international.payer_account is None
    assert international.remittance_information == "INVOICE US20291092"
    # Ntry 8 and 9: structured creditor reference (SCOR) as remittance.
    assert entries[8].payer_name == "PAYERS NAME2"
    assert entries[8].remittance_information == "RF98123456789012"
    assert entries[9].payer_name == "DEBTOR"
    # Ntry 4: Btch/NbOfTxs 2 with one TxDtls without parties: one payment of the entry amount.
    assert entries[4].payer_name is None
    assert entries[4].remittance_information is None


def test_camt_file_named_csv_is_read_as_camt(tmp_path: Path) -> None:
    disguised = tmp_path / "statement.csv"
    shutil.copyfile(FI_SAMPLE, disguised)
    statement = read_bank_statement(disguised)
    assert statement.statement_format == "camt053"
    assert _totals(statement) == {"EUR": Decimal("23075.00")}
    assert statement.path == disguised


def test_genkgo_v08_sample_status_code_datetime_and_party() -> None:
    statement = read_bank_statement(GENKGO_V8)
    assert statement.skipped_debits == 0
    (entry,) = statement.entries
    # The single TxDtls says SEK 0: with one TxDtls the entry amount counts.
    assert (entry.amount, entry.currency) == (Decimal("8.85"), "EUR")
    assert entry.booking_date == date(2014, 12, 31)  # BookgDt/DtTm 2014-12-31T13:15:00+01:00, date as written
    assert entry.value_date == date(2015, 1, 2)
    assert entry.payer_name == "NAME NAME"  # Dbtr/Pty/Nm (version 08)
    assert entry.payer_account == "NL56AGDH9619008421"
    assert entry.remittance_information == "4654654654654654"
    assert entry.bank_reference == "AAAASESS-FP-CN_98765/01"


def test_postfinance_v04_sample_with_a_repeated_reference_is_refused(tmp_path: Path) -> None:
    message = _refusal(POSTFINANCE_SAMPLE)
    assert "Ntry 5 (AcctSvcrRef 07582000303KBMSU), line 207" in message
    assert "'07582000303KBMSU' is also that of Ntry 4" in message
    # What the message suggests for an entry handled by hand: import a copy without it.
    text = POSTFINANCE_SAMPLE.read_text(encoding="utf-8")
    start = text.index("<Ntry>\n\t\t\t\t<NtryRef>CH7730000001250094239")
    end = text.index("</Ntry>", start) + len("</Ntry>")
    copy = tmp_path / POSTFINANCE_SAMPLE.name
    copy.write_text(text[:start] + text[end:], encoding="utf-8")
    statement = read_bank_statement(copy)
    assert [(e.source_row, e.amount, e.bank_reference) for e in statement.entries] == [
        (1, Decimal("4.50"), "0758103031480900"),
        (3, Decimal("1500.00"), "07582000303F0C7U"),
        (4, Decimal("1537.00"), "07582000303KBMSU"),
    ]
    assert _totals(statement) == {"CHF": Decimal("3041.50")}
    assert statement.skipped_debits == 1


# --- camt.053: batches, pending, debits (constructed fixture) ------------------------------------------------------


def test_batch_entries_split_into_one_payment_per_transaction() -> None:
    statement = read_bank_statement(CONSTRUCTED)
    assert [(e.source_row, e.amount, e.currency, e.bank_reference) for e in statement.entries] == [
        (1, Decimal("5036.39"), "EUR", "20261102-B1-001"),
        (1, Decimal("1170.00"), "EUR", "20261102-B1-002"),
        (1, Decimal("5664.40"), "EUR", "20261102-B1-003"),
        (2, Decimal("2400.00"), "EUR", "SEPA-BATCH-4711/1"),
        (2, Decimal("7082.41"), "EUR", "SEPA-BATCH-4711/2"),
        (5, Decimal("1274.40"), "USD", "20261102-USD-001"),
    ]
    # The split payments add up to their entries exactly: 11870.79 + 9482.41.
    assert _totals(statement) == {"EUR": Decimal("21353.20"), "USD": Decimal("1274.40")}
    assert statement.skipped_debits == 1  # Ntry 3, bank charges
    assert statement.skipped_unbooked == 1  # Ntry 4, PDNG


def test_batch_transactions_keep_their_own_payer_and_remittance() -> None:
    entries = read_bank_statement(CONSTRUCTED).entries
    initech, sirius, initech_again, sirius_batch2, initech_batch2, globex = entries
    assert (initech.payer_name, initech.payer_account) == ("Initech GmbH", "DE89370400440532013000")
    assert initech.remittance_information == "EBTG-INV-2026-000001 Invoice August 2026"  # Ustrd lines joined
    assert (sirius.payer_name, sirius.remittance_information) == ("Sirius Cybernetics SAS", "EBTG-INV-2026-000003")
    assert initech_again.remittance_information == "EBTG-INV-2026-000002"
    assert sirius_batch2.payer_account is None
    assert (sirius_batch2.booking_date, sirius_batch2.value_date) == (date(2026, 11, 2), date(2026, 11, 3))
    assert initech_batch2.payer_account == "0532013000"  # DbtrAcct/Id/Othr/Id, spaces removed
    assert (globex.payer_name, globex.payer_account) == ("Globex Corporation", "012345678901")
    assert globex.booking_date == date(2026, 11, 2)  # DtTm 2026-11-02T09:15:00-05:00, date as written


# --- camt.053: inline statements ----------------------------------------------------------------------------------


def _camt(tmp_path: Path, *ntries: str, version: str = "08", name: str = "statement.xml") -> Path:
    """A statement whose Ntry k is on line k + 2 (line 1: XML declaration, line 2: header up to the account)."""
    head = (
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-02T22:00:00</CreDtTm></GrpHdr><Stmt><Id>S1</Id>"
        "<CreDtTm>2026-11-02T22:00:00</CreDtTm><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>"
    )
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', head, *ntries, "</Stmt></BkToCstmrStmt></Document>"]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ntry(
    amount: str = "100.00",
    *,
    direction: str = "CRDT",
    status: str = "<Sts><Cd>BOOK</Cd></Sts>",
    reversal: str = "",
    references: str = "<AcctSvcrRef>REF-1</AcctSvcrRef>",
    booking: str = "<BookgDt><Dt>2026-11-02</Dt></BookgDt>",
    currency: str = "EUR",
    details: str = "",
) -> str:
    return (
        f'<Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>{reversal}{status}{booking}'
        f"<ValDt><Dt>2026-11-02</Dt></ValDt>{references}<NtryDtls>{details}</NtryDtls></Ntry>"
    )


def _tx(amount: str | None = None, *, currency: str = "EUR", name: str = "", text: str = "", refs: str = "") -> str:
    amount_xml = "" if amount is None else f'<Amt Ccy="{currency}">{amount}</Amt>'
    party = f"<RltdPties><Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr></RltdPties>" if name else ""
    remittance = f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf>" if text else ""
    return f"<TxDtls><Refs>{refs}</Refs>{amount_xml}{party}{remittance}</TxDtls>"


def test_version_02_batch_split_uses_amtdtls(tmp_path: Path) -> None:
    details = "".join(
        f'<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>'
        f"<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties></TxDtls>"
        for amount, name in (("0.10", "Initech GmbH"), ("0.20", "Sirius Cybernetics SAS"))
    )
    path = _camt(tmp_path, _ntry("0.30", status="<Sts>BOOK</Sts>", details=details), version="02")
    entries = read_bank_statement(path).entries
    assert [(e.amount, e.payer_name, e.bank_reference) for e in entries] == [
        (Decimal("0.10"), "Initech GmbH", "REF-1/1"),
        (Decimal("0.20"), "Sirius Cybernetics SAS", "REF-1/2"),
    ]
    assert sum(e.amount for e in entries) == Decimal("0.30")


def test_batch_without_transaction_amounts_is_one_payment(tmp_path: Path) -> None:
    details = _tx(name="Initech GmbH", text="EBTG-INV-2026-000001") + _tx(name="Initech GmbH", text="other")
    (entry,) = read_bank_statement(_camt(tmp_path, _ntry("250.00", details=details))).entries
    assert (entry.amount, entry.bank_reference) == (Decimal("250.00"), "REF-1")
    assert entry.payer_name == "Initech GmbH"  # all TxDtls agree
    assert entry.remittance_information is None  # they differ: not guessed


def test_pending_info_and_future_entries_are_skipped_and_counted(tmp_path: Path) -> None:
    path = _camt(
        tmp_path,
        _ntry(status="<Sts><Cd>PDNG</Cd></Sts>", booking=""),
        _ntry(status="<Sts>INFO</Sts>", references="<AcctSvcrRef>REF-2</AcctSvcrRef>"),
        _ntry(status="<Sts><Cd>FUTR</Cd></Sts>", references="<AcctSvcrRef>REF-3</AcctSvcrRef>"),
        _ntry("7.00", references="<AcctSvcrRef>REF-4</AcctSvcrRef>"),
    )
    statement = read_bank_statement(path)
    assert [(e.source_row, e.amount) for e in statement.entries] == [(4, Decimal("7.00"))]
    assert (statement.skipped_unbooked, statement.skipped_debits) == (3, 0)


def test_reference_falls_back_to_ntryref_then_txid_then_end_to_end_id(tmp_path: Path) -> None:
    path = _camt(
        tmp_path,
        _ntry(references="<NtryRef>NTRY-1</NtryRef>", details=_tx(refs="<TxId>TX-9</TxId>")),
        _ntry(references="", details=_tx(refs="<EndToEndId>NOTPROVIDED</EndToEndId><TxId>TX-2</TxId>")),
        _ntry(references="", details=_tx(refs="<EndToEndId>E2E-3</EndToEndId>")),
    )
    assert [e.bank_reference for e in read_bank_statement(path).entries] == ["NTRY-1", "TX-2", "E2E-3"]


def test_envelope_around_the_document_is_accepted(tmp_path: Path) -> None:
    inner = _camt(tmp_path, _ntry("42.00")).read_text(encoding="utf-8").split("\n", 1)[1]
    wrapped = tmp_path / "enveloped.xml"
    wrapped.write_text(
        '<?xml version="1.0"?>\n<BizMsgEnvlp><AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">'
        f"<MsgDefIdr>camt.053.001.08</MsgDefIdr></AppHdr>{inner}</BizMsgEnvlp>\n",
        encoding="utf-8",
    )
    assert [e.amount for e in read_bank_statement(wrapped).entries] == [Decimal("42.00")]


# --- camt.053: refusals -------------------------------------------------------------------------------------------


def test_reversal_of_a_credit_is_refused(tmp_path: Path) -> None:
    path = _camt(tmp_path, _ntry("99.00"), _ntry("99.00", direction="DBIT", reversal="<RvslInd>true</RvslInd>"))
    message = _refusal(path)
    assert "Ntry 2 (AcctSvcrRef REF-1), line 4:" in message
    assert "reversal (RvslInd true) of an earlier credit (a payment taken back) of EUR 99.00" in message
    assert "record it in receivables by hand" in message


def test_reversal_of_a_debit_is_refused(tmp_path: Path) -> None:
    message = _refusal(_camt(tmp_path, _ntry(reversal="<RvslInd>1</RvslInd>")))
    assert "Ntry 1 (AcctSvcrRef REF-1), line 3: is a reversal (RvslInd true) of an earlier debit" in message


@pytest.mark.parametrize(
    ("ntry", "expected"),
    [
        (_ntry("1.00", details=_tx("0.60") + _tx("0.60")), "Ntry 1 (AcctSvcrRef REF-1), line 3: batch of 2 TxDtls"),
        (_ntry("1.00", details=_tx("0.60") + _tx()), "Ntry 1 (AcctSvcrRef REF-1) TxDtls 2, line 3: no amount"),
        (
            _ntry("1.00", details=_tx("0.60") + _tx("0.40", currency="USD")),
            "TxDtls 2, line 3: amount in USD, but the entry is booked in EUR",
        ),
        (_ntry("1.00", details=_tx("1.00") + _tx("0")), "TxDtls 2, line 3: Amt is zero"),
        (_ntry("1,00"), "Ntry 1 (AcctSvcrRef REF-1), line 3: Amt is '1,00', not a decimal amount"),
        (_ntry("-1.00"), "Amt is '-1.00', not a decimal amount"),
        (_ntry(currency="eur"), "Amt has currency 'eur', not an ISO 4217 code"),
        (_ntry(booking="<BookgDt><Dt>2026-02-30</Dt></BookgDt>"), "line 3: BookgDt/Dt is '2026-02-30', not a date"),
        (_ntry(booking="<BookgDt><DtTm>yesterday</DtTm></BookgDt>"), "BookgDt/DtTm is 'yesterday'"),
        (_ntry(booking=""), "Ntry 1 (AcctSvcrRef REF-1), line 3: booked entry without BookgDt"),
        (_ntry(status=""), "Ntry 1 (AcctSvcrRef REF-1), line 3: no Sts (entry status)"),
        (_ntry(status="<Sts>BKD</Sts>"), "line 3: status 'BKD', not BOOK, PDNG, INFO or FUTR"),
        (_ntry(direction="CREDIT"), "CdtDbtInd is 'CREDIT', not CRDT or DBIT"),
        (_ntry(references=""), "Ntry 1, line 3: no bank reference"),
        (
            _ntry("2.00", references="", details=_tx("1.00") + _tx("1.00")),
            "Ntry 1, line 3: batch entry without AcctSvcrRef or NtryRef",
        ),
    ],
)
def test_bad_entries_are_refused_naming_the_entry(tmp_path: Path, ntry: str, expected: str) -> None:
    message = _refusal(_camt(tmp_path, ntry))
    assert expected in message


def test_repeated_reference_is_refused(tmp_path: Path) -> None:
    path = _camt(tmp_path, _ntry("1.00"), _ntry("1.00", direction="DBIT"), _ntry("2.00"))
    message = _refusal(path)
    assert "Ntry 3 (AcctSvcrRef REF-1), line 5: bank reference 'REF-1' is also that of Ntry 1" in message


def test_debit_inside_a_credit_batch_is_refused(tmp_path: Path) -> None:
    netted = _tx("1.50").replace("</Amt>", "</Amt><CdtDbtInd>DBIT</CdtDbtInd>")
    message = _refusal(_camt(tmp_path, _ntry("1.50", details=_tx("3.00") + netted)))
    assert "Ntry 1 (AcctSvcrRef REF-1) TxDtls 2, line 3: a debit inside a credit batch" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("<Document><x/>", "statement.xml line 1: not well-formed XML"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e "boom">]>\n<d>&e;</d>',
            "statement.xml: XML with a DOCTYPE or ENTITY declaration",
        ),
        (
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn/></Document>',
            "statement.xml line 1: this is camt.054 (a debit/credit notification), not a camt.053 bank statement",
        ),
        (
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.01"><BkToCstmrStmt/></Document>',
            "statement.xml line 1: camt.053 version 001.01 is not supported (001.02 to 001.13 are)",
        ),
        ("<invoice><total>1</total></invoice>", "XML, but not an ISO 20022 camt.053 bank statement (root element"),
        (
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt/></Document>',
            "statement.xml BkToCstmrStmt, line 1: no Stmt",
        ),
    ],
)
def test_xml_that_is_not_a_readable_camt053_is_refused(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "statement.xml"
    path.write_text(content, encoding="utf-8")
    assert expected in _refusal(path)


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_csv_fixture_exact_amounts_and_debits() -> None:
    statement = read_bank_statement(PAYMENTS_CSV)
    assert statement.statement_format == "csv"
    assert statement.sha256 == hashlib.sha256(PAYMENTS_CSV.read_bytes()).hexdigest()
    assert [(e.source_row, e.amount, e.currency, e.remittance_information) for e in statement.entries] == [
        (1, Decimal("1274.40"), "USD", "EBTS-INV-2026-000001"),
        (2, Decimal("5036.39"), "EUR", "EBTG-INV-2026-000001"),
        (4, Decimal("1269.87"), "USD", "EBTS-INV-2026-000003"),
        (5, Decimal("600.00"), "EUR", "EBTG-INV-2026-000002 part payment, rest follows"),
    ]
    assert _totals(statement) == {"USD": Decimal("2544.27"), "EUR": Decimal("5636.39")}
    assert statement.skipped_debits == 1
    first, second = statement.entries[:2]
    assert (first.booking_date, first.value_date) == (date(2026, 10, 5), date(2026, 10, 5))
    assert (second.booking_date, second.value_date) == (date(2026, 10, 6), date(2026, 10, 7))
    assert (first.payer_name, first.payer_account) == ("Globex Corporation", "012345678901")
    assert second.payer_account == "DE89370400440532013000"
    assert first.bank_reference == "BNK-20261005-0001"
    assert str(first.amount) == "1274.40"


def test_csv_semicolon_bom_crlf_any_header_case_and_extra_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    header = ";".join(name.title() for name in reversed(CSV_COLUMNS)) + ";Note"
    rows = [
        "BNK-1;EBTS-INV-2026-000001, thanks;;;usd;0.125;2026-10-05;2026-10-05;x",
        ";;;;;;;;",
        'BNK-2;"EBTG-INV-2026-000001; EBTG-INV-2026-000002";DE89 3704;Initech GmbH;EUR;100.0000;2026-10-06;2026-10-07;',
    ]
    path.write_text("\r\n".join([header, *rows]) + "\r\n", encoding="utf-8-sig")
    statement = read_bank_statement(path)
    assert statement.statement_format == "csv"
    first, second = statement.entries
    assert (first.amount, first.currency, first.payer_name, first.payer_account) == (
        Decimal("0.125"),  # more decimals than USD has: kept exactly, not rounded
        "USD",
        None,
        None,
    )
    assert first.remittance_information == "EBTS-INV-2026-000001, thanks"
    assert str(second.amount) == "100.0000"
    assert second.source_row == 2  # the all-empty row is not counted
    assert second.remittance_information == "EBTG-INV-2026-000001; EBTG-INV-2026-000002"
    assert second.payer_account == "DE893704"


def test_csv_header_only_is_an_empty_statement(tmp_path: Path) -> None:
    path = tmp_path / "empty-day.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    statement = read_bank_statement(path)
    assert (statement.entries, statement.skipped_debits) == ((), 0)


def _csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "payments.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


GOOD = "2026-10-05,2026-10-05,1274.40,USD,Globex Corporation,,EBTS-INV-2026-000001,BNK-1"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "2026-10-05,05.10.2026,1.00,USD,,,,BNK-2",
            "payments.csv row 2 (BNK-2), line 3: column value_date is '05.10.2026', not a date",
        ),
        ("2026-13-01,2026-10-05,1.00,USD,,,,BNK-2", "row 2 (BNK-2), line 3: column booking_date is '2026-13-01'"),
        (
            '2026-10-05,2026-10-05,"1,274.40",USD,,,,BNK-2',
            "row 2 (BNK-2), line 3: column amount is '1,274.40', not a decimal number",
        ),
        ("2026-10-05,2026-10-05,1e3,USD,,,,BNK-2", "column amount is '1e3', not a decimal number"),
        ("2026-10-05,2026-10-05,0.00,USD,,,,BNK-2", "row 2 (BNK-2), line 3: column amount is zero"),
        ("2026-10-05,2026-10-05,,USD,,,,BNK-2", "row 2 (BNK-2), line 3: column amount is empty"),
        ("2026-10-05,2026-10-05,1.00,US$,,,,BNK-2", "column currency is 'US$', not an ISO 4217 code"),
        ("2026-10-05,2026-10-05,1.00,USD,,,,", "payments.csv row 2, line 3: column bank_reference is empty"),
        ("2026-10-05,2026-10-05,1.00,USD,,,,  ", "payments.csv row 2, line 3: column bank_reference is empty"),
        (
            "2026-10-06,2026-10-06,-5.00,USD,,,,BNK-1",
            "payments.csv row 2 (BNK-1), line 3: bank_reference 'BNK-1' is also that of row 1",
        ),
        ("2026-10-05,2026-10-05,1.00,USD,A,B,C", "payments.csv row 2, line 3: 7 fields but the header has 8"),
    ],
)
def test_csv_bad_rows_are_refused_naming_row_and_value(tmp_path: Path, row: str, expected: str) -> None:
    message = _refusal(_csv(tmp_path, GOOD, row))
    assert expected in message
    assert message.endswith("and import the file again")


def test_csv_missing_columns_are_named(tmp_path: Path) -> None:
    header = "booking_date,amount,currency,payer_name,remittance_information"
    message = _refusal(_csv(tmp_path, header=header))
    assert "payments.csv line 1: header lacks column(s) value_date, payer_account, bank_reference" in message


def test_csv_duplicate_column_is_refused(tmp_path: Path) -> None:
    message = _refusal(_csv(tmp_path, header=HEADER + ",Amount"))
    assert "payments.csv line 1: column amount appears 2 times in the header" in message


def test_csv_without_layout_header_is_refused(tmp_path: Path) -> None:
    message = _refusal(_csv(tmp_path, "1274.40,USD", header="Betrag,Waehrung"))
    assert "payments.csv line 1: not a bank statement CSV" in message


def test_csv_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    data = (HEADER + "\n2026-10-05,2026-10-05,1.00,EUR,Müller,,,BNK-1\n").encode("latin-1")
    path.write_bytes(data)
    offset = data.index("ü".encode("latin-1"))
    assert f"latin1.csv line 2: not UTF-8 text (byte {offset})" in _refusal(path)


def test_csv_bad_quoting_is_refused(tmp_path: Path) -> None:
    message = _refusal(_csv(tmp_path, GOOD, '2026-10-05,2026-10-05,1.00,USD,"A"B,,,BNK-2'))
    assert "payments.csv line 3: not valid CSV" in message


def test_empty_and_missing_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"  \n")
    assert "empty.csv: empty file" in _refusal(empty)
    missing = tmp_path / "missing.xml"
    with pytest.raises(BankStatementError, match=r"missing\.xml: cannot be read"):
        read_bank_statement(missing)


# --- the module stays light -----------------------------------------------------------------------------------


def test_module_imports_no_dagster_dbt_or_duckdb() -> None:
    code = (
        "import sys, orchestration.receivables.bank_statements; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dagster', 'dbt', 'duckdb', 'dagster_dbt'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
