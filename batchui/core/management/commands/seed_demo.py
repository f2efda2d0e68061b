"""`seed_demo`: what `make run` needs: simulator users and batches, and one sign-in per role.

Idempotent, and quick when everything is already there.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from batchui.accounts.demo import ensure_demo_accounts
from batchui.simulator.seeding import seed_demo


class Command(BaseCommand):
    help = "Create the demo simulator users, batches and dashboard sign-ins when they are missing."

    def handle(self, *args, **options) -> None:
        for line in seed_demo():
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write("Sign in at /accounts/login/ of the address below as:")
        for account in ensure_demo_accounts():
            self.stdout.write(
                f"  {account.role.value:<7} user {account.username!r:<10} "
                f"password {account.password!r}  (acts as EnergyCAP user {account.simulator_user})"
            )
