"""Who may do what: users and their roles from seeds/billing_users.csv, and each role's permitted actions.

The acting user of every workflow action (`--as USER`, else BILLING_USER) must be an active user of the seed;
an action the role does not allow is refused before anything is read or written. Viewer roles are scoped: a
department viewer acts only on its department's chargeback lines, a client viewer only on its client's invoices.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from orchestration.ops.errors import OpsError

USERS_SEED = "billing_users.csv"


class Action(StrEnum):
    DISPUTE_OPEN = "open a dispute"
    DISPUTE_ACKNOWLEDGE = "acknowledge a dispute"
    DISPUTE_ASSIGN = "assign a dispute"
    DISPUTE_COMMENT = "comment on a dispute"
    DISPUTE_RESOLVE = "resolve a dispute"
    DISPUTE_VIEW = "view disputes"
    ADJUSTMENT_PROPOSE = "propose an adjustment"
    ADJUSTMENT_DECIDE = "approve or reject an adjustment"
    ADJUSTMENT_VIEW = "view adjustments"
    PAYMENT_IMPORT = "import payments"
    AUDIT_VERIFY = "verify the audit trail"
    RATE_CARD_APPROVE = "approve a rate card"
    RATE_CARD_PUBLISH = "publish a rate card"
    INVOICE_FINALIZE = "finalize invoices"
    RETENTION_VIEW = "view legal holds and the retention plan"
    RETENTION_HOLD = "place or release a legal hold"
    RETENTION_APPLY = "archive and purge data under the retention policy"


_VIEWER = frozenset({Action.DISPUTE_OPEN, Action.DISPUTE_COMMENT, Action.DISPUTE_VIEW})
_ANALYST = frozenset(
    {
        *_VIEWER,
        Action.DISPUTE_ACKNOWLEDGE,
        Action.DISPUTE_ASSIGN,
        Action.DISPUTE_RESOLVE,
        Action.ADJUSTMENT_PROPOSE,
        Action.ADJUSTMENT_VIEW,
        Action.PAYMENT_IMPORT,
        Action.AUDIT_VERIFY,
    }
)
PERMISSIONS: dict[str, frozenset[Action]] = {
    "billing_analyst": _ANALYST,
    "billing_manager": _ANALYST | {Action.ADJUSTMENT_DECIDE, Action.INVOICE_FINALIZE, Action.RETENTION_VIEW},
    "finance_controller": frozenset(
        {
            Action.DISPUTE_VIEW,
            Action.DISPUTE_COMMENT,
            Action.ADJUSTMENT_VIEW,
            Action.ADJUSTMENT_DECIDE,
            Action.PAYMENT_IMPORT,
            Action.AUDIT_VERIFY,
            Action.RATE_CARD_APPROVE,
            Action.RATE_CARD_PUBLISH,
            Action.INVOICE_FINALIZE,
            # Retention and legal holds are finance's: the controller places holds and runs the purge.
            Action.RETENTION_VIEW,
            Action.RETENTION_HOLD,
            Action.RETENTION_APPLY,
        }
    ),
    "department_viewer": _VIEWER,
    "client_viewer": _VIEWER,
}
# Disputes are owned by the billing operations team.
OPERATIONS_TEAM_ROLES = frozenset({"billing_analyst", "billing_manager"})


@dataclass(frozen=True)
class User:
    user_id: str
    display_name: str
    role: str
    department_id: str | None
    client_id: str | None

    @property
    def scoped(self) -> bool:
        """A viewer sees and acts on its own department's or client's records only."""
        return self.role in ("department_viewer", "client_viewer")

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS.get(self.role, frozenset())


@dataclass(frozen=True)
class Directory:
    path: Path
    users: dict[str, User]

    def user(self, user_id: str | None) -> User:
        if not user_id or not user_id.strip():
            raise OpsError(f"no acting user: pass --as USER or set BILLING_USER to a user of {self.path}")
        found = self.users.get(user_id.strip())
        if found is None:
            known = ", ".join(sorted(self.users)) or "none"
            raise OpsError(
                f"{user_id.strip()!r} is not an active user in {self.path} (users: {known}); act as one of them or "
                "ask finance to add the user with a role"
            )
        return found

    def authorize(self, user_id: str | None, action: Action) -> User:
        """The acting user, if the role allows the action; a refusal names the role and who may."""
        user = self.user(user_id)
        if not user.may(action):
            allowed = ", ".join(sorted(role for role, actions in PERMISSIONS.items() if action in actions))
            raise OpsError(f"{user.user_id} ({user.role}) may not {action.value}; that takes the role {allowed}")
        return user


def load_directory(seeds_dir: Path) -> Directory:
    """The users seed, active rows only; a malformed seed is refused with its row."""
    path = seeds_dir / USERS_SEED
    if not path.exists():
        raise OpsError(f"{path} is missing; it lists the users of billing operations and their roles")
    users: dict[str, User] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            user_id = (row.get("user_id") or "").strip()
            role = (row.get("role") or "").strip()
            if not user_id or role not in PERMISSIONS:
                raise OpsError(
                    f"{path} row {row_number}: user {user_id or '(empty)'} has role {role or '(empty)'}; roles are "
                    f"{', '.join(PERMISSIONS)}"
                )
            if (row.get("active") or "true").strip().lower() not in ("true", "1", "yes"):
                continue
            users[user_id] = User(
                user_id=user_id,
                display_name=(row.get("display_name") or user_id).strip(),
                role=role,
                department_id=(row.get("department_id") or "").strip() or None,
                client_id=(row.get("client_id") or "").strip() or None,
            )
    return Directory(path, users)
