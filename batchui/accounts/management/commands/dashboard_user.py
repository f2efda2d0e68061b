"""`dashboard_user`: add or update dashboard accounts, list them, re-encrypt stored API keys.

    dashboard_user add USERNAME --role clerk|lead|viewer [--password P]
                       [--api-key KEY | --simulator-user CODE] [--name "Full Name"]
    dashboard_user list
    dashboard_user rekey        # after putting a new key first in FIELD_ENCRYPTION_KEY

`add` is idempotent: it updates an existing person's role, password and key.
No command prints a key.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from batchui.accounts import services
from batchui.accounts.forms import ApiKeyForm
from batchui.accounts.provisioning import account_upsert
from batchui.accounts.roles import Role, role_of


class Command(BaseCommand):
    help = "Add or update dashboard accounts (role, password, API key); list them."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        add = commands.add_parser("add", help="create or update a person")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=[role.value for role in Role])
        add.add_argument("--password", help="new password (a new person without one: SSO only)")
        add.add_argument("--name", help="full name, shown in the dashboard")
        add.add_argument(
            "--energycap-user", help="the EnergyCAP user code the person's key acts as"
        )
        keys = add.add_mutually_exclusive_group()
        keys.add_argument("--api-key", help="the person's EnergyCAP API key (stored encrypted)")
        keys.add_argument(
            "--simulator-user",
            metavar="CODE",
            help="issue a key of this simulator API user (created when missing)",
        )
        commands.add_parser("list", help="list people, their role and key state (never keys)")
        commands.add_parser("rekey", help="re-encrypt stored keys with the first encryption key")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_add(self, *, username: str, role: str, **options) -> None:
        password = options.get("password")
        if password is not None:
            user_model = get_user_model()
            existing = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
            try:
                validate_password(password, user=existing or user_model(username=username))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        api_key = options.get("api_key")
        if api_key is not None:
            form = ApiKeyForm({"api_key": api_key})
            if not form.is_valid():
                raise CommandError(" ".join(form.errors["api_key"]))
            api_key = form.cleaned_data["api_key"]
        result = account_upsert(
            username=username,
            role=Role(role),
            password=password,
            api_key=api_key,
            simulator_user=options.get("simulator_user"),
            energycap_user_code=options.get("energycap_user"),
            full_name=options.get("name"),
        )
        verb = "Created" if result.created else "Updated"
        key_state = services.api_key_status(user=result.user).state
        self.stdout.write(f"{verb} {username}: role {role}, API key {key_state}.")

    def handle_list(self, **options) -> None:
        user_model = get_user_model()
        people = user_model.objects.order_by(user_model.USERNAME_FIELD).select_related(
            "dashboard_profile"
        )
        self.stdout.write(
            f"{'username':<20} {'role':<8} {'api key':<11} {'energycap user':<15} active"
        )
        for user in people:
            role = role_of(user)
            state = services.api_key_status(user=user).state
            code = services.profile_of(user=user).energycap_user_code or "-"
            self.stdout.write(
                f"{user.get_username():<20} {role.value if role else '-':<8} {state:<11} "
                f"{code:<15} {'yes' if user.is_active else 'no'}"
            )

    def handle_rekey(self, **options) -> None:
        result = services.api_keys_rekey()
        self.stdout.write(f"Re-encrypted {result.rotated} API key(s).")
        if result.unreadable:
            self.stderr.write(
                "Unreadable with every configured key (these people must enter their key "
                "again): " + ", ".join(result.unreadable)
            )
