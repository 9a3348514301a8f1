"""The landing page of the auditors' documentation: what was generated, when, from what, and where to look."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from orchestration.auditor_docs.dbt_docs import DbtDocs
from orchestration.auditor_docs.gx_docs import GxDocs
from orchestration.auditor_docs.warehouse import GateRecord

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
.pass { color: #17612e; } .fail { color: #a4161a; font-weight: bold; }
code { background: #f3f3f3; padding: 0 0.2rem; }
"""


@dataclass(frozen=True)
class LandingPage:
    generated_at: datetime
    warehouse: Path
    copied: bool
    periods: list[date]
    dbt: DbtDocs
    gx: GxDocs
    recorded_gates: list[GateRecord] = field(default_factory=list)
    # Audit packages (<number>-audit.zip) per period, relative to the docs directory.
    audit_packages: dict[date, list[str]] = field(default_factory=dict)


def _e(value: object) -> str:
    return html.escape(str(value))


def _status(success: bool) -> str:
    return '<span class="pass">passed</span>' if success else '<span class="fail">FAILED</span>'


def audit_packages(output_dir: Path, periods: list[date]) -> dict[date, list[str]]:
    """The issued documents' audit packages in output/<YYYY-MM>/, as links relative to output/docs/."""
    found: dict[date, list[str]] = {}
    for period in periods:
        folder = output_dir / f"{period:%Y-%m}"
        found[period] = [f"../{folder.name}/{path.name}" for path in sorted(folder.glob("*-audit.zip"))]
    return found


def render(page: LandingPage) -> str:
    periods = ", ".join(f"{p:%Y-%m}" for p in page.periods) or "none"
    if page.copied:
        source = (
            f"a copy of the warehouse <code>{_e(page.warehouse)}</code> taken at generation time "
            f"(closed periods: {_e(periods)})"
        )
    else:
        source = (
            f"no warehouse: there was none at <code>{_e(page.warehouse)}</code>. The dbt docs show the project "
            "(models, columns, tests, lineage) with an empty catalog, and the Data Docs show the suites without "
            "validation results. Close a month and run <code>billing docs</code> again."
        )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Billing platform: documentation for auditors</title>',
        f"<style>{STYLE}</style></head><body>",
        "<h1>Billing platform: documentation for auditors</h1>",
        f"<p>Generated {_e(page.generated_at.strftime('%Y-%m-%d %H:%M:%S UTC'))} by <code>billing docs</code> from "
        f"{source}.</p>",
        "<h2>Data models (dbt docs)</h2>",
        f'<p><a href="dbt/static_index.html">dbt docs</a> (one self-contained page): {page.dbt.models} models with '
        "their SQL, column descriptions, data types, tests and lineage"
        + (
            f"; the catalog holds the {page.dbt.catalog_tables} tables and views of the warehouse copy."
            if not page.dbt.empty_catalog
            else "; the catalog is empty (no warehouse)."
        )
        + " <code>dbt/manifest.json</code> and <code>dbt/catalog.json</code> are dbt's own files for tools; "
        "<code>dbt/index.html</code> reads them and must be served over HTTP "
        "(<code>python -m http.server -d dbt</code>).</p>",
        "<h2>Quality gates (Great Expectations Data Docs)</h2>",
        f'<p><a href="gx/index.html">Data Docs</a>: the suites of <code>expectations/</code> '
        f"({_e(', '.join(page.gx.suites))}), each a blocking gate of the close, validated on the same batches the "
        "close reads, per closed period. Page styling loads from public CDNs; without internet access the pages "
        "are plain but complete.</p>",
    ]
    if page.gx.validations:
        parts.append("<table><tr><th>period</th><th>suite</th><th>rows</th><th>expectations</th><th>result</th></tr>")
        for item in page.gx.validations:
            parts.append(
                f"<tr><td>{item.period:%Y-%m}</td><td>{_e(item.suite)}</td><td>{item.rows}</td>"
                f"<td>{item.expectations - item.failed}/{item.expectations} met</td>"
                f"<td>{_status(item.success)}</td></tr>"
            )
        parts.append("</table>")
    if page.gx.unvalidated_suites:
        parts.append(
            f"<p>Suites no gate reads (shown without results): {_e(', '.join(page.gx.unvalidated_suites))}.</p>"
        )
    if page.recorded_gates:
        parts.append(
            "<p>What each close recorded (<code>audit.gate_results</code>, latest evaluation per period and suite; "
            "a period's invoices are issued only when all of its gates passed):</p>"
        )
        parts.append("<table><tr><th>period</th><th>suite</th><th>checked at</th><th>result</th></tr>")
        for gate in page.recorded_gates:
            result = _status(gate.failed == 0) + (f" ({gate.failed} of {gate.expectations})" if gate.failed else "")
            parts.append(
                f"<tr><td>{gate.period:%Y-%m}</td><td>{_e(gate.suite)}</td><td>{_e(gate.checked_at)}</td>"
                f"<td>{result}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Invoices and their audit packages</h2>")
    parts.append(
        "<p>Every issued invoice, credit note and debit note is in <code>data/output/&lt;YYYY-MM&gt;/</code> "
        "(the billing period): the PDF, the e-invoice XML and <code>&lt;number&gt;-audit.zip</code>, its audit "
        "package: the documents, every line as frozen at issue (price, FX, tax), the allocated charges behind them, "
        "the contract version, the period's gate results and the provider files with their sha256 "
        "(<code>manifest.json</code> inside lists each member's hash). The hashes recorded at issue are in "
        "<code>audit.issued_documents</code>; "
        "<code>billing invoices show &lt;number&gt;</code> prints them next to the files.</p>"
    )
    if page.audit_packages:
        parts.append("<ul>")
        for period, links in page.audit_packages.items():
            items = ", ".join(f'<a href="{_e(link)}">{_e(Path(link).name)}</a>' for link in links) or "none yet"
            parts.append(f"<li>{period:%Y-%m}: {items}</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
