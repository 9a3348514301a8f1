"""Bank statements for accounts receivable: the incoming payments of an ISO 20022 camt.053 file or a CSV export.

``read_bank_statement(path)`` reads one file into a ``BankStatement``: its incoming, booked credits as
``StatementEntry`` rows with exact ``Decimal`` amounts, and counts of what it left out. The format is told from
the content, never from the file name: a file whose first non-blank character is ``<`` is XML and must be a
camt.053 statement; anything else is read as the CSV layout below.

Bad input is refused with one ``BankStatementError`` line naming the file, where in it (CSV: data row and
line; camt.053: ``Ntry`` index, sub-element and line), what is wrong and what to do. Nothing is half-read: the
first problem refuses the whole file.

CSV layout
----------
UTF-8 (a BOM is allowed), comma- or semicolon-separated (told from the header line), header required on the
first line. Header names are matched case-insensitively, in any order; other columns are ignored:

    booking_date,value_date,amount,currency,payer_name,payer_account,remittance_information,bank_reference
    2026-10-05,2026-10-05,1274.40,USD,Globex Corporation,US12 3456 7890,EBTS-INV-2026-000001,BNK-20261005-0001

* ``booking_date``, ``value_date``: ISO dates (``YYYY-MM-DD``);
* ``amount``: a decimal number with a decimal point and no thousands separator, kept exactly as written (never
  rounded, whatever the currency's minor unit); positive is an incoming credit, negative a debit (skipped and
  counted in ``skipped_debits``); zero is refused;
* ``currency``: three-letter ISO 4217 code (upper-cased);
* ``payer_name``, ``payer_account``, ``remittance_information``: may be empty; the account's spaces are removed;
* ``bank_reference``: the bank's unique reference of the booking; required, and unique within the file.

Every row is checked, debits included; a row whose fields are all empty is ignored. ``source_row`` is the
1-based data row (ignored rows not counted); messages also give the line (the header is line 1).

camt.053 (BankToCustomerStatement)
----------------------------------
Namespace ``urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN``, NN from 02 to 13 (tested with real files of 02,
04 and 08), as the root ``Document`` or inside a business-message envelope. The XML is read with entity
expansion, DTD loading and network access off; a file declaring a DOCTYPE or ENTITY is refused unread.

Every ``Stmt/Ntry`` of the file, in document order, is counted from 1 (``source_row``; messages name it
``Ntry N``). Per entry:

* status (``<Sts>BOOK</Sts>`` up to version 07, ``<Sts><Cd>BOOK</Cd></Sts>`` from 08): PDNG, INFO and FUTR
  entries are not booked money and are skipped, counted in ``skipped_unbooked`` (a pending payment appears as
  BOOK on a later statement, where it is imported); a missing or other status is refused;
* reversals (``RvslInd`` true) are refused, whichever the direction: a reversed credit is a payment taken back
  (it must reopen the invoice it paid, never count as or silently cancel a payment) and a reversed debit is no
  customer payment. Record it in receivables by hand and import a copy of the statement without that ``Ntry``;
* ``CdtDbtInd`` DBIT entries are skipped and counted in ``skipped_debits``; CRDT entries become payments;
* amount and currency from ``Ntry/Amt`` and its ``Ccy``; ``BookgDt`` (required) and ``ValDt`` (the booking
  date when absent) from ``Dt`` or ``DtTm`` (the date as written, not converted to UTC);
* a batch entry with two or more ``NtryDtls/TxDtls`` that each carry their own amount (``TxDtls/Amt``, or
  ``AmtDtls/TxAmt/Amt`` in version 02) becomes one payment per ``TxDtls``; their amounts must be positive, in
  the entry's currency and add up to the entry amount exactly, else the file is refused. With two or more
  ``TxDtls`` and no amounts the entry is one payment (payer and remittance kept only where all its
  ``TxDtls`` agree); a batch where only some ``TxDtls`` have an amount is refused. An entry with one ``TxDtls``
  (or none) is one payment of the entry amount, whatever the ``TxDtls`` amount says (charges, FX);
* payer from ``TxDtls/RltdPties/Dbtr/Nm`` (``Dbtr/Pty/Nm`` from version 08) and ``DbtrAcct/Id/IBAN`` (else
  ``DbtrAcct/Id/Othr/Id``, spaces removed);
* remittance: the ``RmtInf/Ustrd`` lines joined by a space; else the structured creditor references
  (``RmtInf/Strd/CdtrRefInf/Ref``); else the referred document numbers (``RmtInf/Strd/RfrdDocInf/Nb``, an
  invoice number by definition);
* bank reference of a single payment: ``Ntry/AcctSvcrRef``, else ``TxDtls/Refs/AcctSvcrRef``, else
  ``Ntry/NtryRef``, else ``TxDtls/Refs/TxId``, else ``TxDtls/Refs/EndToEndId`` (``NOTPROVIDED`` is no
  reference); none of them refuses the file. For the payments of a split batch: each ``TxDtls/Refs/AcctSvcrRef``
  when every transaction of the entry has its own, distinct one, else ``<entry reference>/<k>`` (``k`` the
  1-based ``TxDtls`` position; entry reference ``AcctSvcrRef`` else ``NtryRef``).

Bank references must be unique among the payments of a file (CSV: among all rows): a repeated one is refused,
as it would either double-count a payment or hide one behind the other.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

from lxml import etree

CSV_COLUMNS = (
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "payer_name",
    "payer_account",
    "remittance_information",
    "bank_reference",
)
CAMT053_VERSIONS = tuple(f"{version:02d}" for version in range(2, 14))
UNBOOKED_STATUSES = frozenset({"PDNG", "INFO", "FUTR"})

_ISO20022_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3})\.\d{3}\.(\d{2})$")
_MESSAGE_NAMES = {
    "camt.052": "an intraday account report",
    "camt.054": "a debit/credit notification",
    "pain.001": "a payment order",
    "pain.008": "a direct debit order",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_XML_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?$")
_CSV_AMOUNT = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_XML_AMOUNT = re.compile(r"^\d+(?:\.\d+)?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SPACES = re.compile(r"\s+")
_NOT_PROVIDED = "NOTPROVIDED"
_CAMT_FIX = "ask the bank to correct and re-deliver the statement"


@dataclass(frozen=True)
class StatementEntry:
    source_row: int  # 1-based data row (CSV) or Ntry index in the file (camt.053); a split batch shares its Ntry's
    booking_date: date
    value_date: date
    amount: Decimal  # exact, positive (incoming credit)
    currency: str  # ISO 4217, upper case
    payer_name: str | None
    payer_account: str | None  # IBAN or account number, spaces removed
    remittance_information: str | None  # Ustrd joined by a space, or structured creditor reference(s)
    bank_reference: str  # the bank's unique reference for the payment (unique within the file)


@dataclass(frozen=True)
class BankStatement:
    path: Path
    statement_format: Literal["csv", "camt053"]
    sha256: str  # of the file bytes
    entries: tuple[StatementEntry, ...]  # incoming booked credits only, in file order
    skipped_debits: int  # outgoing entries (DBIT, negative CSV amounts) ignored, counted
    skipped_unbooked: int = 0  # camt.053 entries with status PDNG, INFO or FUTR (not booked) ignored, counted


class BankStatementError(ValueError):
    """A statement that cannot be imported; the message is one line: file, row/element, what is wrong, what to do."""


def read_bank_statement(path: Path) -> BankStatement:
    """The incoming payments of one bank statement file (camt.053 or CSV, told from the content)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BankStatementError(
            f"{path}: cannot be read ({error.strerror or error}); check the path and import it again"
        ) from None
    if not data.strip():
        raise BankStatementError(f"{path.name}: empty file; export the statement from the bank again and import it")
    digest = hashlib.sha256(data).hexdigest()
    if _looks_like_xml(data):
        camt = _Camt053(path, data)
        camt.read()
        return BankStatement(path, "camt053", digest, tuple(camt.entries), camt.skipped_debits, camt.skipped_unbooked)
    entries, debits = _read_csv(path, data)
    return BankStatement(path, "csv", digest, tuple(entries), debits)


def _looks_like_xml(data: bytes) -> bool:
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) : 400].decode(encoding, errors="ignore").lstrip().startswith("<")
    return data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def _clean(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def _without_spaces(value: str | None) -> str | None:
    return _SPACES.sub("", value or "") or None


# --- CSV -------------------------------------------------------------------------------------------------------


def _header_name(header: str) -> str:
    return header.strip().lstrip("\ufeff").strip().lower()


def _csv_delimiter(path: Path, header_line: str) -> str:
    """The separator (comma or semicolon) under which the header names the most layout columns."""
    best, best_found = ",", 0
    for delimiter in (",", ";"):
        names = {_header_name(name) for name in next(csv.reader([header_line], delimiter=delimiter))}
        found = len(names & set(CSV_COLUMNS))
        if found > best_found:
            best, best_found = delimiter, found
    if best_found == 0:
        raise BankStatementError(
            f"{path.name} line 1: not a bank statement CSV (the header names none of {', '.join(CSV_COLUMNS)}); "
            "export the statement as camt.053 or as CSV with that header and import it again"
        )
    return best


class _CsvRow:
    """Checks of one data row; every refusal names the file, the row (and its reference), the line and the fix."""

    def __init__(self, path: Path, number: int, line: int, values: dict[str, str]) -> None:
        self.path = path
        self.number = number
        self.line = line
        self.values = values

    def refuse(self, problem: str, fix: str) -> BankStatementError:
        reference = self.values["bank_reference"].strip()
        which = f" ({reference})" if reference else ""
        return BankStatementError(
            f"{self.path.name} row {self.number}{which}, line {self.line}: {problem}; {fix} and import the file again"
        )

    def required(self, column: str) -> str:
        value = self.values[column].strip()
        if not value:
            raise self.refuse(f"column {column} is empty", f"fill in {column}")
        return value

    def day(self, column: str) -> date:
        value = self.required(column)
        if _ISO_DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.refuse(f"column {column} is {value!r}, not a date", f"write {column} as YYYY-MM-DD")

    def amount(self) -> Decimal:
        value = self.required("amount")
        if not _CSV_AMOUNT.match(value):
            raise self.refuse(
                f"column amount is {value!r}, not a decimal number",
                "write amounts with a decimal point and no thousands separator (1234.56, -12.00)",
            )
        amount = Decimal(value)
        if amount == 0:
            raise self.refuse("column amount is zero, neither a payment nor a debit", "remove the row")
        return amount

    def currency(self) -> str:
        value = self.required("currency")
        if not _CURRENCY.match(value.upper()):
            raise self.refuse(
                f"column currency is {value!r}, not an ISO 4217 code", "write the three-letter code (EUR, USD)"
            )
        return value.upper()


def _read_csv(path: Path, data: bytes) -> tuple[list[StatementEntry], int]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BankStatementError(
            f"{path.name} line {line}: not UTF-8 text (byte {error.start}); export the statement as UTF-8 CSV "
            "and import it again"
        ) from None
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
    if not header_line.strip():
        raise BankStatementError(
            f"{path.name} line 1: empty; the header ({','.join(CSV_COLUMNS)}) must be the first line — "
            "remove the blank lines above it and import the file again"
        )
    delimiter = _csv_delimiter(path, header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    entries: list[StatementEntry] = []
    debits = 0
    try:
        names = [_header_name(name) for name in next(reader)]
        for column in CSV_COLUMNS:
            if names.count(column) > 1:
                raise BankStatementError(
                    f"{path.name} line 1: column {column} appears {names.count(column)} times in the header; "
                    "keep one and import the file again"
                )
        missing = [column for column in CSV_COLUMNS if column not in names]
        if missing:
            raise BankStatementError(
                f"{path.name} line 1: header lacks column(s) {', '.join(missing)}; a bank statement CSV needs "
                f"{', '.join(CSV_COLUMNS)} (any order, separated by {delimiter!r}) — add them and import the file again"
            )
        position = {column: names.index(column) for column in CSV_COLUMNS}
        first_row: dict[str, int] = {}
        number = 0
        for record in reader:
            if not any(field.strip() for field in record):
                continue
            number += 1
            if len(record) != len(names):
                raise BankStatementError(
                    f"{path.name} row {number}, line {reader.line_num}: {len(record)} fields but the header has "
                    f"{len(names)} (a {delimiter!r} inside an unquoted value?); quote that value or export the "
                    "statement again and import the file again"
                )
            row = _CsvRow(path, number, reader.line_num, {column: record[i] for column, i in position.items()})
            reference = row.required("bank_reference")
            if reference in first_row:
                raise row.refuse(
                    f"bank_reference {reference!r} is also that of row {first_row[reference]}",
                    "give every booking its own bank reference (or remove the duplicated row)",
                )
            first_row[reference] = number
            booking = row.day("booking_date")
            value = row.day("value_date")
            amount = row.amount()
            currency = row.currency()
            if amount < 0:
                debits += 1
                continue
            entries.append(
                StatementEntry(
                    source_row=number,
                    booking_date=booking,
                    value_date=value,
                    amount=amount,
                    currency=currency,
                    payer_name=_clean(row.values["payer_name"]),
                    payer_account=_without_spaces(row.values["payer_account"]),
                    remittance_information=_clean(row.values["remittance_information"]),
                    bank_reference=reference,
                )
            )
    except csv.Error as error:
        raise BankStatementError(
            f"{path.name} line {reader.line_num}: not valid CSV ({error}); export the statement again and import it"
        ) from None
    return entries, debits


# --- camt.053 --------------------------------------------------------------------------------------------------


def _parse_xml(path: Path, data: bytes) -> etree._Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise BankStatementError(
            f"{path.name}: XML with a DOCTYPE or ENTITY declaration, which bank statements never carry; "
            "not read — ask the bank to re-deliver the statement"
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise BankStatementError(
            f"{path.name} line {error.lineno}: not well-formed XML ({error.msg}); "
            "export the statement from the bank again (do not edit it by hand) and import it"
        ) from None
    if root.getroottree().docinfo.doctype:
        raise BankStatementError(
            f"{path.name}: XML with a DOCTYPE declaration, which bank statements never carry; "
            "not read — ask the bank to re-deliver the statement"
        )
    return root


def _statement_element(path: Path, root: etree._Element) -> tuple[etree._Element, str]:
    """The BkToCstmrStmt element and its camt.053 namespace; any other XML is refused with what it is."""
    for element in root.iter("{*}BkToCstmrStmt"):
        namespace = etree.QName(element).namespace or ""
        match = _ISO20022_NAMESPACE.match(namespace)
        if match and match.group(1) == "camt.053":
            if match.group(2) not in CAMT053_VERSIONS:
                raise BankStatementError(
                    f"{path.name} line {element.sourceline}: camt.053 version 001.{match.group(2)} is not supported "
                    f"(001.{CAMT053_VERSIONS[0]} to 001.{CAMT053_VERSIONS[-1]} are); export the statement in one "
                    "of those versions and import it"
                )
            return element, namespace
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        match = _ISO20022_NAMESPACE.match(etree.QName(element).namespace or "")
        if match:
            kind = match.group(1)
            what = _MESSAGE_NAMES.get(kind, "another ISO 20022 message")
            raise BankStatementError(
                f"{path.name} line {element.sourceline}: this is {kind} ({what}), not a camt.053 bank statement; "
                "export the end-of-day account statement (camt.053) or a CSV statement and import that"
            )
    qname = etree.QName(root)
    raise BankStatementError(
        f"{path.name} line {root.sourceline}: XML, but not an ISO 20022 camt.053 bank statement (root element "
        f"{qname.localname}, namespace {qname.namespace or 'none'}); export the statement as camt.053 or CSV and "
        "import that"
    )


class _Camt053:
    """One camt.053 file read entry by entry; refusals name the file, the Ntry (and TxDtls) and the line."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        self.ns: dict[str, str] = {}
        self.entries: list[StatementEntry] = []
        self.skipped_debits = 0
        self.skipped_unbooked = 0
        self.first_entry: dict[str, int] = {}

    # -- lookup helpers

    def text(self, element: etree._Element, path: str) -> str | None:
        found = element.find(path, self.ns)
        return None if found is None else _clean(found.text)

    def texts(self, element: etree._Element, path: str) -> list[str]:
        return [text for found in element.findall(path, self.ns) if (text := _clean(found.text))]

    def refuse(self, where: str, element: etree._Element, problem: str, fix: str = _CAMT_FIX) -> BankStatementError:
        return BankStatementError(f"{self.path.name} {where}, line {element.sourceline}: {problem}; {fix}")

    def label(self, number: int, ntry: etree._Element) -> str:
        for name in ("AcctSvcrRef", "NtryRef"):
            reference = self.text(ntry, f"c:{name}")
            if reference:
                return f"Ntry {number} ({name} {reference})"
        return f"Ntry {number}"

    # -- the file

    def read(self) -> None:
        root = _parse_xml(self.path, self.data)
        statement, namespace = _statement_element(self.path, root)
        self.ns = {"c": namespace}
        statements = statement.findall("c:Stmt", self.ns)
        if not statements:
            raise self.refuse("BkToCstmrStmt", statement, "no Stmt (statement) in the message")
        number = 0
        for stmt in statements:
            for ntry in stmt.findall("c:Ntry", self.ns):
                number += 1
                self.entry(number, ntry)

    def entry(self, number: int, ntry: etree._Element) -> None:
        where = self.label(number, ntry)
        if self.status(where, ntry) in UNBOOKED_STATUSES:
            self.skipped_unbooked += 1
            return
        direction = self.text(ntry, "c:CdtDbtInd")
        if direction not in ("CRDT", "DBIT"):
            raise self.refuse(where, ntry, f"CdtDbtInd is {direction!r}, not CRDT or DBIT")
        reversal = (self.text(ntry, "c:RvslInd") or "false").lower()
        if reversal not in ("true", "false", "1", "0"):
            raise self.refuse(where, ntry, f"RvslInd is {reversal!r}, not true or false")
        if reversal in ("true", "1"):
            amount = ntry.find("c:Amt", self.ns)
            shown = "" if amount is None else f" of {amount.get('Ccy', '')} {(amount.text or '').strip()}"
            reversed_what = "credit (a payment taken back)" if direction == "DBIT" else "debit"
            raise self.refuse(
                where,
                ntry,
                f"is a reversal (RvslInd true) of an earlier {reversed_what}{shown}, never imported as a payment",
                "record it in receivables by hand (a reversed credit reopens the invoice it paid), then import a "
                "copy of the statement without this Ntry",
            )
        if direction == "DBIT":
            self.skipped_debits += 1
            return
        amount_element = ntry.find("c:Amt", self.ns)
        if amount_element is None:
            raise self.refuse(where, ntry, "no Amt (entry amount)")
        amount, currency = self.amount(where, amount_element, "Amt")
        booking = self.day(where, ntry, "BookgDt")
        if booking is None:
            raise self.refuse(where, ntry, "booked entry without BookgDt (booking date)")
        value = self.day(where, ntry, "ValDt") or booking
        details = ntry.findall("c:NtryDtls/c:TxDtls", self.ns)
        entry_reference = self.text(ntry, "c:AcctSvcrRef") or self.text(ntry, "c:NtryRef")

        def payment(amount: Decimal, tx: etree._Element | None, reference: str) -> StatementEntry:
            return StatementEntry(
                source_row=number,
                booking_date=booking,
                value_date=value,
                amount=amount,
                currency=currency,
                payer_name=None if tx is None else self.payer_name(tx),
                payer_account=None if tx is None else self.payer_account(tx),
                remittance_information=None if tx is None else self.remittance(tx),
                bank_reference=reference,
            )

        if len(details) < 2:
            tx = details[0] if details else None
            reference = self.single_reference(ntry, tx)
            if reference is None:
                raise self.refuse(
                    where,
                    ntry,
                    "no bank reference (none of AcctSvcrRef, NtryRef, TxDtls/Refs/AcctSvcrRef, TxId or EndToEndId)",
                    "ask the bank to deliver statements with AcctSvcrRef on every entry",
                )
            self.add(where, ntry, payment(amount, tx, reference))
            return
        amounts = [self.detail_amount(f"{where} TxDtls {k}", tx) for k, tx in enumerate(details, start=1)]
        if all(given is None for given in amounts):
            if entry_reference is None:
                raise self.refuse(
                    where,
                    ntry,
                    "batch entry without AcctSvcrRef or NtryRef (no bank reference)",
                    "ask the bank to deliver statements with AcctSvcrRef on every entry",
                )
            self.add(where, ntry, self.combined(payment(amount, None, entry_reference), details))
            return
        for k, (tx, given) in enumerate(zip(details, amounts, strict=True), start=1):
            if given is None:
                raise self.refuse(
                    f"{where} TxDtls {k}",
                    tx,
                    f"no amount while other TxDtls of this batch of {len(details)} have one",
                )
            if given[1] != currency:
                raise self.refuse(
                    f"{where} TxDtls {k}", tx, f"amount in {given[1]}, but the entry is booked in {currency}"
                )
            if self.text(tx, "c:CdtDbtInd") == "DBIT":
                raise self.refuse(
                    f"{where} TxDtls {k}",
                    tx,
                    "a debit inside a credit batch (netted entry), which cannot be split into payments",
                    "ask the bank for gross (unnetted) batch bookings, or record this entry by hand and import a "
                    "copy of the statement without it",
                )
        split = [given[0] for given in amounts if given is not None]
        total = sum(split, Decimal(0))
        if total != amount:
            raise self.refuse(
                where,
                ntry,
                f"batch of {len(details)} TxDtls whose amounts add up to {currency} {total}, not the entry amount "
                f"{currency} {amount}",
            )
        references = self.batch_references(where, ntry, details, entry_reference)
        for tx, part, reference in zip(details, split, references, strict=True):
            self.add(where, ntry, payment(part, tx, reference))

    def add(self, where: str, ntry: etree._Element, entry: StatementEntry) -> None:
        earlier = self.first_entry.get(entry.bank_reference)
        if earlier is not None:
            raise self.refuse(
                where,
                ntry,
                f"bank reference {entry.bank_reference!r} is also that of Ntry {earlier} (one payment reported "
                "twice, or two payments under one reference)",
                "ask the bank to correct and re-deliver the statement",
            )
        self.first_entry[entry.bank_reference] = entry.source_row
        self.entries.append(entry)

    # -- entry parts

    def status(self, where: str, ntry: etree._Element) -> str:
        sts = ntry.find("c:Sts", self.ns)
        if sts is None:
            raise self.refuse(where, ntry, "no Sts (entry status)")
        proprietary = self.text(sts, "c:Prtry")
        if proprietary:
            raise self.refuse(where, sts, f"proprietary status {proprietary!r}, not BOOK, PDNG, INFO or FUTR")
        code = self.text(sts, "c:Cd") or _clean(sts.text) or ""
        if code != "BOOK" and code not in UNBOOKED_STATUSES:
            raise self.refuse(where, sts, f"status {code!r}, not BOOK, PDNG, INFO or FUTR")
        return code

    def amount(self, where: str, element: etree._Element, name: str) -> tuple[Decimal, str]:
        text = (element.text or "").strip()
        if not _XML_AMOUNT.match(text):
            raise self.refuse(where, element, f"{name} is {text!r}, not a decimal amount")
        amount = Decimal(text)
        if amount == 0:
            raise self.refuse(where, element, f"{name} is zero, which is no payment")
        currency = (element.get("Ccy") or "").strip()
        if not _CURRENCY.match(currency):
            raise self.refuse(where, element, f"{name} has currency {currency!r}, not an ISO 4217 code")
        return amount, currency

    def day(self, where: str, ntry: etree._Element, name: str) -> date | None:
        holder = ntry.find(f"c:{name}", self.ns)
        if holder is None:
            return None
        text = self.text(holder, "c:Dt")
        if text is not None:
            match = _XML_DATE.match(text)
            try:
                if match:
                    return date.fromisoformat(match.group(1))
            except ValueError:
                pass
            raise self.refuse(where, holder, f"{name}/Dt is {text!r}, not a date")
        text = self.text(holder, "c:DtTm")
        if text is not None:
            try:
                return datetime.fromisoformat(text).date()
            except ValueError:
                raise self.refuse(where, holder, f"{name}/DtTm is {text!r}, not a date and time") from None
        raise self.refuse(where, holder, f"{name} has neither Dt nor DtTm")

    def detail_amount(self, where: str, tx: etree._Element) -> tuple[Decimal, str] | None:
        for path in ("c:Amt", "c:AmtDtls/c:TxAmt/c:Amt"):
            element = tx.find(path, self.ns)
            if element is not None:
                return self.amount(where, element, path.replace("c:", ""))
        return None

    def payer_name(self, tx: etree._Element) -> str | None:
        return self.text(tx, "c:RltdPties/c:Dbtr/c:Nm") or self.text(tx, "c:RltdPties/c:Dbtr/c:Pty/c:Nm")

    def payer_account(self, tx: etree._Element) -> str | None:
        account = self.text(tx, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN") or self.text(
            tx, "c:RltdPties/c:DbtrAcct/c:Id/c:Othr/c:Id"
        )
        return _without_spaces(account)

    def remittance(self, tx: etree._Element) -> str | None:
        for path in (
            "c:RmtInf/c:Ustrd",
            "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref",
            "c:RmtInf/c:Strd/c:RfrdDocInf/c:Nb",
        ):
            parts = self.texts(tx, path)
            if parts:
                return " ".join(parts)
        return None

    def single_reference(self, ntry: etree._Element, tx: etree._Element | None) -> str | None:
        candidates = [self.text(ntry, "c:AcctSvcrRef")]
        if tx is not None:
            candidates.append(self.text(tx, "c:Refs/c:AcctSvcrRef"))
        candidates.append(self.text(ntry, "c:NtryRef"))
        if tx is not None:
            candidates += [self.text(tx, "c:Refs/c:TxId"), self.text(tx, "c:Refs/c:EndToEndId")]
        return next((c for c in candidates if c and c.upper() != _NOT_PROVIDED), None)

    def batch_references(
        self, where: str, ntry: etree._Element, details: list[etree._Element], entry_reference: str | None
    ) -> list[str]:
        own = [self.text(tx, "c:Refs/c:AcctSvcrRef") for tx in details]
        entry_own = self.text(ntry, "c:AcctSvcrRef")
        if all(own) and len(set(own)) == len(own) and entry_own not in own:
            return [reference for reference in own if reference]
        if entry_reference is None:
            raise self.refuse(
                where,
                ntry,
                "batch entry without AcctSvcrRef or NtryRef, and its TxDtls have no distinct Refs/AcctSvcrRef "
                "(no bank reference)",
                "ask the bank to deliver statements with AcctSvcrRef on every entry",
            )
        return [f"{entry_reference}/{k}" for k in range(1, len(details) + 1)]

    def combined(self, entry: StatementEntry, details: list[etree._Element]) -> StatementEntry:
        """One payment for a batch without per-transaction amounts: keep what all its TxDtls agree on."""

        def common(values: list[str | None]) -> str | None:
            return values[0] if len(set(values)) == 1 else None

        return StatementEntry(
            source_row=entry.source_row,
            booking_date=entry.booking_date,
            value_date=entry.value_date,
            amount=entry.amount,
            currency=entry.currency,
            payer_name=common([self.payer_name(tx) for tx in details]),
            payer_account=common([self.payer_account(tx) for tx in details]),
            remittance_information=common([self.remittance(tx) for tx in details]),
            bank_reference=entry.bank_reference,
        )
