"""What runs in the demo's AWS organisation: meters (us-east-1 on-demand prices) and tagged resources."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orchestration.demo.determinism import Draw, stable_hex
from orchestration.demo.organisation import (
    AWS_CORPORATE,
    AWS_DATA,
    AWS_DIGITAL,
    AWS_GLOBEX,
    AWS_PAYER,
    AWS_PAYMENTS,
    AWS_SECURITY,
    AWS_SHARED,
    Account,
    TagPairs,
    tag_pairs,
)

REGION = "us-east-1"
LOCATION = "US East (N. Virginia)"


@dataclass(frozen=True)
class Meter:
    product_code: str
    product_name: str
    servicecode: str
    product_family: str
    usage_type: str
    operation: str
    pricing_unit: str
    rate: Decimal
    description: str
    instance_type: str | None = None
    normalization_factor: Decimal | None = None
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Resource:
    account: Account
    resource_id: str
    meters: tuple[tuple[Meter, Draw], ...]
    tags: TagPairs = ()
    savings_plan_covered: bool = False  # the first meter (instance hours) is covered by the compute SP
    availability_zone: str | None = None


def _ec2(instance_type: str, rate: str, vcpu: int, memory_gib: int, factor: int) -> Meter:
    return Meter(
        product_code="AmazonEC2",
        product_name="Amazon Elastic Compute Cloud",
        servicecode="AmazonEC2",
        product_family="Compute Instance",
        usage_type=f"BoxUsage:{instance_type}",
        operation="RunInstances",
        pricing_unit="Hrs",
        rate=Decimal(rate),
        description=f"${rate} per On Demand Linux {instance_type} Instance Hour",
        instance_type=instance_type,
        normalization_factor=Decimal(factor),
        attributes=(
            ("instance_family", "General purpose" if instance_type.startswith("m") else "Compute optimized"),
            ("memory", f"{memory_gib} GiB"),
            ("operating_system", "Linux"),
            ("tenancy", "Shared"),
            ("vcpu", str(vcpu)),
        ),
    )


def _simple(
    product_code: str,
    product_name: str,
    family: str,
    usage_type: str,
    operation: str,
    unit: str,
    rate: str,
    description: str,
    servicecode: str | None = None,
) -> Meter:
    return Meter(
        product_code=product_code,
        product_name=product_name,
        servicecode=servicecode or product_code,
        product_family=family,
        usage_type=usage_type,
        operation=operation,
        pricing_unit=unit,
        rate=Decimal(rate),
        description=description,
    )


M6I_LARGE = _ec2("m6i.large", "0.096", 2, 8, 4)
M6I_XLARGE = _ec2("m6i.xlarge", "0.192", 4, 16, 8)
M6I_2XLARGE = _ec2("m6i.2xlarge", "0.384", 8, 32, 16)
C6I_XLARGE = _ec2("c6i.xlarge", "0.17", 4, 8, 8)
R6I_XLARGE = _ec2("r6i.xlarge", "0.252", 4, 32, 8)
T3_MEDIUM = _ec2("t3.medium", "0.0416", 2, 4, 2)
G5_XLARGE = _ec2("g5.xlarge", "1.006", 4, 16, 8)

EBS_GP3 = _simple(
    "AmazonEC2",
    "Amazon Elastic Compute Cloud",
    "Storage",
    "EBS:VolumeUsage.gp3",
    "CreateVolume-Gp3",
    "GB-Mo",
    "0.08",
    "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Northern Virginia)",
)
DATA_TRANSFER_OUT = _simple(
    "AmazonEC2",
    "Amazon Elastic Compute Cloud",
    "Data Transfer",
    "DataTransfer-Out-Bytes",
    "RunInstances",
    "GB",
    "0.09",
    "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier",
    servicecode="AWSDataTransfer",
)
NAT_HOURS = _simple(
    "AmazonEC2",
    "Amazon Elastic Compute Cloud",
    "NAT Gateway",
    "NatGateway-Hours",
    "NatGateway",
    "Hrs",
    "0.045",
    "$0.045 per NAT Gateway Hour",
)
NAT_BYTES = _simple(
    "AmazonEC2",
    "Amazon Elastic Compute Cloud",
    "NAT Gateway",
    "NatGateway-Bytes",
    "NatGateway",
    "GB",
    "0.045",
    "$0.045 per GB Data Processed by NAT Gateways",
)
S3_STORAGE = _simple(
    "AmazonS3",
    "Amazon Simple Storage Service",
    "Storage",
    "TimedStorage-ByteHrs",
    "StandardStorage",
    "GB-Mo",
    "0.023",
    "$0.023 per GB - first 50 TB / month of storage used",
)
S3_REQUESTS = _simple(
    "AmazonS3",
    "Amazon Simple Storage Service",
    "API Request",
    "Requests-Tier1",
    "PutObject",
    "Requests",
    "0.000005",
    "$0.005 per 1,000 PUT, COPY, POST, or LIST requests",
)
RDS_R6G_LARGE = _simple(
    "AmazonRDS",
    "Amazon Relational Database Service",
    "Database Instance",
    "InstanceUsage:db.r6g.large",
    "CreateDBInstance:0014",
    "Hrs",
    "0.225",
    "$0.225 per RDS db.r6g.large instance hour (or partial hour) running PostgreSQL",
)
RDS_STORAGE = _simple(
    "AmazonRDS",
    "Amazon Relational Database Service",
    "Database Storage",
    "RDS:GP3-Storage",
    "CreateDBInstance:0014",
    "GB-Mo",
    "0.115",
    "$0.115 per GB-month of provisioned GP3 storage running PostgreSQL",
)
LAMBDA_COMPUTE = _simple(
    "AWSLambda",
    "AWS Lambda",
    "Serverless",
    "Lambda-GB-Second",
    "Invoke",
    "Lambda-GB-Second",
    "0.0000166667",
    "AWS Lambda - Total Compute - US East (Northern Virginia)",
)
LAMBDA_REQUESTS = _simple(
    "AWSLambda",
    "AWS Lambda",
    "Serverless",
    "Request",
    "Invoke",
    "Requests",
    "0.0000002",
    "AWS Lambda - Total Requests - US East (Northern Virginia)",
)
ALB_HOURS = _simple(
    "AWSELB",
    "Elastic Load Balancing",
    "Load Balancer-Application",
    "LoadBalancerUsage",
    "LoadBalancing:Application",
    "Hrs",
    "0.0225",
    "$0.0225 per Application LoadBalancer-hour (or partial hour)",
)
CW_LOGS = _simple(
    "AmazonCloudWatch",
    "AmazonCloudWatch",
    "Data Payload",
    "DataProcessing-Bytes",
    "PutLogEvents",
    "GB",
    "0.5",
    "$0.50 per GB custom log data ingested",
)
CLOUDTRAIL_EVENTS = _simple(
    "AWSCloudTrail",
    "AWS CloudTrail",
    "Management Tools - AWS CloudTrail Data Events Recorded",
    "PaidEventsRecorded",
    "None",
    "Events",
    "0.00002",
    "0.00002 USD per data event recorded in US East (N. Virginia)",
)

# Savings-plan rates (1-year All Upfront compute SP) for the covered instance types.
SAVINGS_PLAN_RATES: dict[str, Decimal] = {
    "m6i.2xlarge": Decimal("0.2573"),
    "m6i.xlarge": Decimal("0.1287"),
    "r6i.xlarge": Decimal("0.1688"),
}

ALWAYS_ON = Draw(24, 24)


def _tags(project: str | None = None, cost_center: str | None = None, environment: str = "prod") -> TagPairs:
    """AWS user-defined cost-allocation tags carry the `user:` prefix in CUR."""
    return tag_pairs(project, cost_center, environment, key_prefix="user:")


DEV_HOURS = Draw(8, 24)


def _instance(account: Account, name: str) -> str:
    return f"i-0{stable_hex('ec2', account.account_id, name, length=16)}"


def _arn(service: str, account: Account, kind: str, name: str) -> str:
    return f"arn:aws:{service}:{REGION}:{account.account_id}:{kind}{name}"


def _ec2_resource(
    account: Account,
    name: str,
    meter: Meter,
    *,
    tags: TagPairs = (),
    covered: bool = False,
    hours: Draw = ALWAYS_ON,
    egress_gb: Draw | None = None,
    zone: str = "us-east-1a",
) -> Resource:
    meters: tuple[tuple[Meter, Draw], ...] = ((meter, hours),)
    if egress_gb is not None:
        meters += ((DATA_TRANSFER_OUT, egress_gb),)
    return Resource(account, _instance(account, name), meters, tags, covered, zone)


def aws_resources() -> tuple[Resource, ...]:
    """The organisation's resources in a fixed order (the row order of every delivery)."""
    gb = Draw
    return (
        # payments-prod (CC-2200 by account); the card-auth pair is covered by the savings plan.
        _ec2_resource(
            AWS_PAYMENTS,
            "card-auth-1",
            M6I_2XLARGE,
            tags=_tags("card-auth", "CC-2200"),
            covered=True,
            egress_gb=gb(40_000, 90_000, 3),
        ),
        _ec2_resource(
            AWS_PAYMENTS,
            "card-auth-2",
            M6I_2XLARGE,
            tags=_tags("card-auth", "CC-2200"),
            covered=True,
            zone="us-east-1b",
        ),
        _ec2_resource(AWS_PAYMENTS, "card-issuing-1", M6I_XLARGE, tags=_tags("card-issuing")),
        _ec2_resource(
            AWS_PAYMENTS,
            "chargeback-1",
            C6I_XLARGE,
            tags=_tags("chargeback-hub"),
            hours=DEV_HOURS,
        ),
        _ec2_resource(AWS_PAYMENTS, "fraud-gpu-1", G5_XLARGE, tags=_tags("fraud-scoring"), hours=Draw(4, 20)),
        Resource(
            AWS_PAYMENTS,
            _arn("rds", AWS_PAYMENTS, "db:", "card-auth-ledger"),
            ((RDS_R6G_LARGE, ALWAYS_ON), (RDS_STORAGE, gb(500, 500, 0, per_month=True))),
            _tags("card-auth", "CC-2210"),
            availability_zone="us-east-1a",
        ),  # shared with fraud: tag wins
        Resource(
            AWS_PAYMENTS,
            "examplebank-card-statements",
            ((S3_STORAGE, gb(2_400_000, 2_500_000, 3, per_month=True)), (S3_REQUESTS, gb(150_000, 400_000))),
            _tags("card-issuing"),
        ),
        Resource(
            AWS_PAYMENTS,
            _arn("ec2", AWS_PAYMENTS, "volume/", "vol-0" + stable_hex("vol-pay", length=16)),
            ((EBS_GP3, gb(750, 750, 0, per_month=True)),),
            availability_zone="us-east-1a",
        ),
        # digital-channels-prod (CC-3100); mobile-api pair covered by the savings plan.
        _ec2_resource(
            AWS_DIGITAL,
            "mobile-api-1",
            M6I_XLARGE,
            tags=_tags("mobile-api"),
            covered=True,
            egress_gb=gb(60_000, 140_000, 3),
        ),
        _ec2_resource(
            AWS_DIGITAL, "mobile-api-2", M6I_XLARGE, tags=_tags("mobile-api"), covered=True, zone="us-east-1c"
        ),
        _ec2_resource(AWS_DIGITAL, "cms-1", C6I_XLARGE, tags=_tags("cms-headless")),
        Resource(
            AWS_DIGITAL,
            _arn("lambda", AWS_DIGITAL, "function:", "mobile-push-dispatch"),
            ((LAMBDA_COMPUTE, gb(800_000, 2_400_000, 1)), (LAMBDA_REQUESTS, gb(900_000, 2_600_000))),
            _tags("mobile-push"),
        ),
        Resource(
            AWS_DIGITAL,
            "examplebank-www-assets",
            ((S3_STORAGE, gb(180_000, 190_000, 3, per_month=True)), (S3_REQUESTS, gb(20_000, 60_000))),
            _tags("public-website"),
        ),
        Resource(
            AWS_DIGITAL,
            _arn(
                "elasticloadbalancing",
                AWS_DIGITAL,
                "loadbalancer/app/",
                "www-public/" + stable_hex("alb-www", length=16),
            ),
            ((ALB_HOURS, ALWAYS_ON),),
            _tags("public-website", environment="prod"),
        ),
        # data-analytics-prod (CC-3200); one lakehouse node covered; ML training maps by project to CC-3210.
        _ec2_resource(AWS_DATA, "lakehouse-1", R6I_XLARGE, tags=_tags("data-lakehouse"), covered=True),
        _ec2_resource(
            AWS_DATA,
            "lakehouse-2",
            R6I_XLARGE,
            tags=_tags("data-lakehouse"),
            hours=DEV_HOURS,
            zone="us-east-1b",
        ),
        _ec2_resource(
            AWS_DATA, "ml-train-1", G5_XLARGE, tags=_tags("ml-training", environment="dev"), hours=Draw(2, 16)
        ),
        Resource(
            AWS_DATA,
            "examplebank-lakehouse-raw",
            (
                (S3_STORAGE, gb(41_000_000, 42_500_000, 3, per_month=True)),
                (S3_REQUESTS, gb(800_000, 2_000_000)),
            ),
            _tags("data-lakehouse"),
        ),
        Resource(
            AWS_DATA,
            _arn("lambda", AWS_DATA, "function:", "etl-dispatcher"),
            ((LAMBDA_COMPUTE, gb(300_000, 900_000, 1)), (LAMBDA_REQUESTS, gb(40_000, 90_000))),
            _tags("etl-orchestrator"),
        ),
        # corporate-apps-prod (CC-1100).
        _ec2_resource(AWS_CORPORATE, "gl-app-1", M6I_LARGE, tags=_tags("gl-ledger")),
        Resource(
            AWS_CORPORATE,
            _arn("rds", AWS_CORPORATE, "db:", "gl-ledger-prod"),
            ((RDS_R6G_LARGE, ALWAYS_ON), (RDS_STORAGE, gb(300, 300, 0, per_month=True))),
            _tags("gl-ledger"),
            availability_zone="us-east-1b",
        ),
        _ec2_resource(AWS_CORPORATE, "ap-automation-1", T3_MEDIUM, tags=_tags("ap-automation")),
        Resource(
            AWS_CORPORATE,
            _arn("lambda", AWS_CORPORATE, "function:", "treasury-risk-batch"),
            ((LAMBDA_COMPUTE, gb(200_000, 600_000, 1)), (LAMBDA_REQUESTS, gb(5_000, 20_000))),
            _tags("treasury-risk"),
        ),
        _ec2_resource(AWS_CORPORATE, "legacy-ftp-1", T3_MEDIUM),  # untagged: falls to the account's CC-1100
        # shared-services (unmapped): untagged spend is UNALLOCATED, tagged spend still allocates.
        _ec2_resource(AWS_SHARED, "bastion-1", T3_MEDIUM),
        Resource(
            AWS_SHARED,
            _arn("ec2", AWS_SHARED, "natgateway/", "nat-0" + stable_hex("nat-shared", length=16)),
            ((NAT_HOURS, ALWAYS_ON), (NAT_BYTES, gb(80_000, 200_000, 3))),
        ),
        Resource(
            AWS_SHARED,
            _arn("logs", AWS_SHARED, "log-group:", "/org/central"),
            ((CW_LOGS, gb(30_000, 90_000, 3)),),
        ),
        Resource(
            AWS_SHARED,
            "examplebank-central-logs",
            ((S3_STORAGE, gb(12_000_000, 12_600_000, 3, per_month=True)),),
        ),
        _ec2_resource(AWS_SHARED, "k8s-node-1", M6I_XLARGE, tags=_tags("k8s-platform")),
        _ec2_resource(AWS_SHARED, "k8s-node-2", M6I_XLARGE, tags=_tags("k8s-platform"), zone="us-east-1b"),
        _ec2_resource(
            AWS_SHARED,
            "ci-runner-1",
            C6I_XLARGE,
            tags=_tags(None, "CC-1300", "ci"),
            hours=DEV_HOURS,
        ),
        # globex-managed-services (client GLOBEX, CC-9100 by account).
        _ec2_resource(
            AWS_GLOBEX,
            "globex-web-1",
            M6I_XLARGE,
            tags=_tags("globex-portal"),
            egress_gb=gb(10_000, 35_000, 3),
        ),
        _ec2_resource(AWS_GLOBEX, "globex-web-2", M6I_XLARGE, tags=_tags("globex-portal"), zone="us-east-1b"),
        Resource(
            AWS_GLOBEX,
            _arn("rds", AWS_GLOBEX, "db:", "globex-portal-db"),
            ((RDS_R6G_LARGE, ALWAYS_ON), (RDS_STORAGE, gb(200, 200, 0, per_month=True))),
            _tags("globex-portal"),
            availability_zone="us-east-1a",
        ),
        Resource(
            AWS_GLOBEX,
            "globex-portal-assets",
            ((S3_STORAGE, gb(350_000, 380_000, 3, per_month=True)), (S3_REQUESTS, gb(10_000, 40_000))),
            _tags("globex-portal"),
        ),
        Resource(
            AWS_GLOBEX,
            _arn("ec2", AWS_GLOBEX, "volume/", "vol-0" + stable_hex("vol-globex", length=16)),
            ((EBS_GP3, gb(400, 400, 0, per_month=True)),),
            availability_zone="us-east-1b",
        ),
        # security-tooling (CC-1310).
        _ec2_resource(AWS_SECURITY, "siem-ingest-1", M6I_XLARGE, tags=_tags("siem-pipeline")),
        Resource(
            AWS_SECURITY,
            "examplebank-siem-archive",
            ((S3_STORAGE, gb(8_000_000, 8_300_000, 3, per_month=True)), (S3_REQUESTS, gb(300_000, 700_000))),
            _tags("siem-pipeline"),
        ),
        Resource(
            AWS_SECURITY,
            _arn("lambda", AWS_SECURITY, "function:", "iam-token-broker"),
            ((LAMBDA_COMPUTE, gb(100_000, 400_000, 1)), (LAMBDA_REQUESTS, gb(300_000, 900_000))),
            _tags("iam-gateway"),
        ),
        Resource(
            AWS_SECURITY,
            _arn("logs", AWS_SECURITY, "log-group:", "/security/guardrails"),
            ((CW_LOGS, gb(5_000, 15_000, 3)),),
        ),
        # management (payer) account: org trail, unmapped.
        Resource(
            AWS_PAYER,
            _arn("cloudtrail", AWS_PAYER, "trail/", "org-trail"),
            ((CLOUDTRAIL_EVENTS, gb(400_000, 1_200_000)),),
        ),
    )


# Added in the restated 2026-09 delivery: an ML instance the preliminary delivery missed.
LATE_RESOURCE = Resource(
    AWS_DATA,
    _instance(AWS_DATA, "ml-train-2"),
    ((G5_XLARGE, Draw(6, 18)),),
    _tags("ml-training", environment="dev"),
    False,
    "us-east-1c",
)
