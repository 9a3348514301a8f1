"""The demo organisation: projects, provider accounts and the cost-center mapping rules.

This is the single source of the reference data the demo exports are built around. `seeds/projects.csv` and
`seeds/cost_center_mappings.csv` are renderings of it (see `seed_files.py`; a unit test keeps them equal), and
the ground truth allocates with these same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

UNALLOCATED = "UNALLOCATED"
MAPPINGS_VALID_FROM = "2026-01-01"
COST_CENTER_TAG_KEY = "cost-center"
PROJECT_TAG_KEY = "project"
ENVIRONMENT_TAG_KEY = "environment"

TagPairs = tuple[tuple[str, str], ...]

# Precedence per match dimension: lowest wins.
PRECEDENCE = {"tag": 10, "project": 20, "sub_account": 30, "billing_account": 40}


@dataclass(frozen=True)
class Project:
    project_id: str
    project_name: str
    cost_center_id: str


@dataclass(frozen=True)
class Account:
    """A provider account, subscription, organisation or cluster; cost_center_id None = left unmapped."""

    account_id: str
    name: str
    cost_center_id: str | None


@dataclass(frozen=True)
class MappingRule:
    mapping_id: str
    match_dimension: str
    tag_key: str | None
    match_value: str
    cost_center_id: str
    precedence: int
    valid_from: str = MAPPINGS_VALID_FROM
    valid_to: str | None = None


# Department-owned cost centers, the client's and the shared cost pools that allocation rules spread
# (seeds/cost_centers.csv without UNALLOCATED and IDLE).
COST_CENTER_IDS: tuple[str, ...] = (
    "CC-1100",
    "CC-1200",
    "CC-1300",
    "CC-1310",
    "CC-2100",
    "CC-2200",
    "CC-2210",
    "CC-2300",
    "CC-3100",
    "CC-3110",
    "CC-3200",
    "CC-3210",
    "CC-9100",
    "CC-S100",
    "CC-S200",
    "CC-S300",
    "CC-S400",
    "CC-P100",
    "CC-P200",
    "CC-B100",
)

# Project ids are lower-case slugs of 6-30 characters so they are also valid GCP project ids.
PROJECTS: tuple[Project, ...] = (
    Project("gl-ledger", "General ledger", "CC-1100"),
    Project("ap-automation", "Accounts payable automation", "CC-1100"),
    Project("treasury-risk", "Treasury risk engine", "CC-1100"),
    Project("payroll-engine", "Payroll engine", "CC-1200"),
    Project("hr-portal", "Employee HR portal", "CC-1200"),
    Project("talent-analytics", "Talent analytics", "CC-1200"),
    Project("k8s-platform", "Shared Kubernetes platform", "CC-P100"),
    Project("ci-pipelines", "CI/CD pipelines", "CC-B100"),
    Project("network-core", "Core network management", "CC-S400"),
    Project("backup-vault", "Enterprise backup vault", "CC-P200"),
    Project("siem-pipeline", "SIEM log pipeline", "CC-S200"),
    Project("iam-gateway", "Identity and access gateway", "CC-S100"),
    Project("teller-desktop", "Teller desktop", "CC-2100"),
    Project("branch-queue", "Branch queue management", "CC-2100"),
    Project("atm-monitoring", "ATM fleet monitoring", "CC-2100"),
    Project("card-auth", "Card authorisation switch", "CC-2200"),
    Project("card-issuing", "Card issuing", "CC-2200"),
    Project("chargeback-hub", "Card dispute and chargeback hub", "CC-2200"),
    Project("fraud-scoring", "Real-time fraud scoring", "CC-2210"),
    Project("aml-screening", "Anti-money-laundering screening", "CC-2210"),
    Project("loan-origination", "Loan origination system", "CC-2300"),
    Project("credit-decisioning", "Credit decisioning engine", "CC-2300"),
    Project("mortgage-portal", "Mortgage customer portal", "CC-2300"),
    Project("mobile-api", "Mobile banking API", "CC-3100"),
    Project("mobile-push", "Mobile push notifications", "CC-3100"),
    Project("public-website", "Public website", "CC-3110"),
    Project("cms-headless", "Headless CMS for web content", "CC-3110"),
    Project("data-lakehouse", "Enterprise data lakehouse", "CC-3200"),
    Project("etl-orchestrator", "ETL orchestration", "CC-3200"),
    Project("bi-reporting", "BI reporting", "CC-3200"),
    Project("ml-feature-store", "ML feature store", "CC-3210"),
    Project("ml-training", "ML model training", "CC-3210"),
    Project("globex-portal", "Globex customer portal (managed service)", "CC-9100"),
    Project("globex-analytics", "Globex analytics platform (managed service)", "CC-9100"),
)

# AWS: one payer (management) account and its linked accounts. The payer stays unmapped; shared-services is a
# shared cost pool.
AWS_PAYER = Account("111122223333", "examplebank-management", None)
AWS_PAYMENTS = Account("210987654321", "payments-prod", "CC-2200")
AWS_DIGITAL = Account("222233334444", "digital-channels-prod", "CC-3100")
AWS_DATA = Account("333344445555", "data-analytics-prod", "CC-3200")
AWS_CORPORATE = Account("444455556666", "corporate-apps-prod", "CC-1100")
AWS_SHARED = Account("555566667777", "shared-services", "CC-S300")
AWS_GLOBEX = Account("666677778888", "globex-managed-services", "CC-9100")
AWS_SECURITY = Account("777788889999", "security-tooling", "CC-1310")
AWS_LINKED_ACCOUNTS: tuple[Account, ...] = (
    AWS_PAYMENTS,
    AWS_DIGITAL,
    AWS_DATA,
    AWS_CORPORATE,
    AWS_SHARED,
    AWS_GLOBEX,
    AWS_SECURITY,
)

# Azure EA: one enrollment (billing account, unmapped) and a subscription per team.
AZURE_BILLING_ACCOUNT = Account("74418329", "Example Bank EA Enrollment", None)
AZURE_HR = Account("3f2c8a41-7d5e-4b19-9a6c-1e0f5d2b8c74", "hr-systems-prod", "CC-1200")
AZURE_BRANCH = Account("8b1d4e6f-2a3c-4f57-b8d9-6c0e1a2f3b45", "branch-network-prod", "CC-2100")
AZURE_LENDING = Account("c5e7a9b1-3d2f-4e68-a1b0-9f8e7d6c5b43", "lending-prod", "CC-2300")
AZURE_TREASURY = Account("1a9f3c5e-7b2d-4c86-9e0f-2d4b6a8c0e12", "finance-treasury-prod", "CC-1100")
AZURE_SANDBOX = Account("e4d2b0a8-6c4e-4a21-8f3d-5b7c9e1a3d56", "innovation-sandbox", None)
AZURE_SUBSCRIPTIONS: tuple[Account, ...] = (
    AZURE_HR,
    AZURE_BRANCH,
    AZURE_LENDING,
    AZURE_TREASURY,
    AZURE_SANDBOX,
)

# GCP: one billing account (unmapped); projects map through the `project` dimension (project.id).
GCP_BILLING_ACCOUNT = Account("01A2B3-C4D5E6-F7A8B9", "Example Bank GCP billing", None)
GCP_SANDBOX_PROJECT = "ds-sandbox-4471"  # deliberately absent from the mappings

# FOCUS SaaS provider: one customer billing account (unmapped), an organisation per team.
FOCUS_PROVIDER = "Acme Observability"
FOCUS_BILLING_ACCOUNT = Account("ACME-0047211", "Example Bank", None)
FOCUS_PLATFORM = Account("org-7f3a21", "platform-engineering", "CC-1300")
FOCUS_PAYMENTS = Account("org-9c4d02", "payments", "CC-2200")
FOCUS_DIGITAL = Account("org-2b8e55", "digital-channels", "CC-3100")
FOCUS_SECURITY = Account("org-5e1f90", "security-operations", "CC-1310")
FOCUS_SANDBOX = Account("org-0d6c47", "sandbox", None)
FOCUS_SUB_ACCOUNTS: tuple[Account, ...] = (
    FOCUS_PLATFORM,
    FOCUS_PAYMENTS,
    FOCUS_DIGITAL,
    FOCUS_SECURITY,
    FOCUS_SANDBOX,
)

# On-premises: one datacenter (billing account, fallback CC-1300) and its VMware clusters (sub-accounts).
ONPREM_DATACENTER = Account("DC-NJ1", "Newark datacenter 1", "CC-1300")
ONPREM_PROD_A = Account("vmw-prod-01", "Production cluster A", None)
ONPREM_PROD_B = Account("vmw-prod-02", "Production cluster B", None)
ONPREM_SECURITY = Account("vmw-sec-01", "Security enclave cluster", "CC-1310")
ONPREM_BRANCH = Account("vmw-branch-01", "Branch services cluster", "CC-2100")
ONPREM_CLUSTERS: tuple[Account, ...] = (ONPREM_PROD_A, ONPREM_PROD_B, ONPREM_SECURITY, ONPREM_BRANCH)


def _mapped(accounts: tuple[Account, ...]) -> list[Account]:
    return [account for account in accounts if account.cost_center_id is not None]


def mapping_rules() -> list[MappingRule]:
    """All mapping rules in seed order: tags, projects, sub-accounts, billing accounts."""
    rows: list[tuple[str, str | None, str, str]] = []
    rows += [("tag", COST_CENTER_TAG_KEY, cc, cc) for cc in COST_CENTER_IDS]
    rows += [("project", None, p.project_id, p.cost_center_id) for p in PROJECTS]
    sub_accounts = (
        _mapped(AWS_LINKED_ACCOUNTS)
        + _mapped(AZURE_SUBSCRIPTIONS)
        + _mapped(FOCUS_SUB_ACCOUNTS)
        + _mapped(ONPREM_CLUSTERS)
    )
    rows += [("sub_account", None, a.account_id, a.cost_center_id or "") for a in sub_accounts]
    datacenters = _mapped((ONPREM_DATACENTER,))
    rows += [("billing_account", None, a.account_id, a.cost_center_id or "") for a in datacenters]
    return [
        MappingRule(
            mapping_id=f"MAP-{index:04d}",
            match_dimension=dimension,
            tag_key=tag_key,
            match_value=value,
            cost_center_id=cost_center,
            precedence=PRECEDENCE[dimension],
        )
        for index, (dimension, tag_key, value, cost_center) in enumerate(rows, start=1)
    ]


def tag_pairs(
    project: str | None = None,
    cost_center: str | None = None,
    environment: str = "prod",
    *,
    key_prefix: str = "",
) -> TagPairs:
    """How teams tag resources: environment always, project and cost-center when known (sorted by key)."""
    tags = {ENVIRONMENT_TAG_KEY: environment}
    if project:
        tags[PROJECT_TAG_KEY] = project
    if cost_center:
        tags[COST_CENTER_TAG_KEY] = cost_center
    return tuple(sorted((key_prefix + key, value) for key, value in tags.items()))
