"""What the billing-operations commands share: the acting user option, loading settings, users and policies, turning
a refusal into the CLI's one-line error, and plain-text tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from orchestration.ops.errors import OpsError
from orchestration.ops.people import Directory, load_directory
from orchestration.ops.policies import OperationsPolicy, load_policy
from orchestration.settings import Settings, load_settings
from orchestration.user_errors import UserError

ActingUser = Annotated[
    str | None,
    typer.Option("--as", help="Acting user, a user of seeds/billing_users.csv (default: BILLING_USER)."),
]


def say(message: str) -> None:
    typer.echo(message)


@contextmanager
def refusals() -> Iterator[None]:
    """An OpsError (a refusal or a store failure) becomes the CLI's one-line error."""
    try:
        yield
    except OpsError as error:
        raise UserError(str(error)) from None


@dataclass(frozen=True)
class OpsContext:
    settings: Settings
    directory: Directory
    policy: OperationsPolicy
    user_id: str


def ops_context(user: str | None) -> OpsContext:
    try:
        settings = load_settings()
    except ValueError as error:
        raise UserError(str(error)) from None
    with refusals():
        return OpsContext(
            settings,
            load_directory(settings.seeds_dir),
            load_policy(settings.seeds_dir),
            user or settings.acting_user,
        )


def parse_amount(text: str) -> Decimal:
    """An --amount as an exact decimal; anything else is refused in one line."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise UserError(f"--amount {text!r} is not a number; write it like 125.50") from None
    if not value.is_finite():
        raise UserError(f"--amount {text!r} is not a number; write it like 125.50")
    return value


def table(header: tuple[str, ...], rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    """Columns as wide as their widest cell; the `right` ones (numbers) right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]
