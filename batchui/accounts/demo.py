"""Demo sign-ins for `make run` (called by seed_demo): one person per role, each acting as a
simulator API user. Idempotent; keeps a stored key that still works."""

from __future__ import annotations

from dataclasses import dataclass

from batchui.accounts.provisioning import account_upsert
from batchui.accounts.roles import Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    simulator_user: str
    full_name: str


DEMO_ACCOUNTS = (
    DemoAccount("clerk", "batchui-clerk-demo", Role.CLERK, "JSMITH", "Jane Smith"),
    DemoAccount("lead", "batchui-lead-demo", Role.LEAD, "MLEAD", "Morgan Lee"),
    DemoAccount("viewer", "batchui-viewer-demo", Role.VIEWER, "VREAD", "Victor Reed"),
)


def ensure_demo_accounts() -> list[DemoAccount]:
    """Create or refresh the demo people; returns them (with their passwords) for printing."""
    for account in DEMO_ACCOUNTS:
        account_upsert(
            username=account.username,
            role=account.role,
            password=account.password,
            simulator_user=account.simulator_user,
            full_name=account.full_name,
            reuse_working_key=True,
        )
    return list(DEMO_ACCOUNTS)
