"""`simulator_user add CODE --name "Full Name" --permissions view,create,delete` and `... list`.

`add` creates the simulator API user (or updates the name and permissions of an existing one, the
code matched case-insensitively) and issues a new API key. The permissions are EnergyCAP's
BillsAndBatches View, Create, Manage (other people's batches' status) and Delete. The key is
printed alone on stdout, the last line, so `KEY=$(python manage.py simulator_user add ...)` works;
everything else goes to stderr. Only the key's hash is stored: it cannot be shown again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from batchui.simulator.models import ApiUser, fold

PERMISSIONS = ("view", "create", "manage", "delete")


def parse_permissions(value: str) -> dict[str, bool]:
    """`view,create,delete` (any of PERMISSIONS, any order) or `none` -> {"can_view": ...}."""
    words = [w.strip().lower() for w in value.split(",")]
    if words == ["none"]:
        words = []
    elif not all(words) or any(w not in PERMISSIONS for w in words):
        raise CommandError(f"--permissions {value!r}: use some of {','.join(PERMISSIONS)}, or none")
    return {f"can_{name}": name in words for name in PERMISSIONS}


def describe_permissions(user: ApiUser) -> str:
    granted = [name for name in PERMISSIONS if getattr(user, f"can_{name}")]
    return ",".join(granted) or "none"


class Command(BaseCommand):
    help = "Add or update a simulator API user (printing a new key), or list them."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, title="actions")
        add = actions.add_parser(
            "add", help="create or update a user and print a new API key on the last line"
        )
        add.add_argument("code", help="the user code (createdBy.userCode), e.g. JSMITH")
        add.add_argument("--name", help="full name; required for a new user")
        add.add_argument(
            "--permissions",
            help="some of view,create,manage,delete, or none (default for a new user: view,create)",
        )
        actions.add_parser("list", help="codes, names, permissions and number of keys")

    def handle(self, *args, **options) -> None:
        if options["action"] == "add":
            self.add(code=options["code"], name=options["name"], permissions=options["permissions"])
        else:
            self.list()

    def add(self, *, code: str, name: str | None, permissions: str | None) -> None:
        code = code.strip()
        if not code or len(code) > 64 or any(c.isspace() for c in code):
            raise CommandError("the user code must be 1..64 characters without spaces")
        if name is not None and not (0 < len(name.strip()) <= 255):
            raise CommandError("--name must be 1..255 characters")
        rights = parse_permissions(permissions) if permissions is not None else None
        with transaction.atomic():
            user = ApiUser.objects.filter(user_code_ci=fold(code)).first()
            if user is None:
                if name is None:
                    raise CommandError("--name is required for a new user")
                user = ApiUser(user_code=code)
                verb = "Created"
            else:
                verb = "Updated"
            if name is not None:
                user.full_name = name.strip()
            if rights is None and verb == "Created":
                rights = parse_permissions("view,create")
            for field, value in (rights or {}).items():
                setattr(user, field, value)
            user.save()
            key = user.issue_key()
        self.stderr.write(
            f"{verb} simulator user {user.user_code} ({user.full_name}), "
            f"permissions: {describe_permissions(user)}. Its new API key (shown once):"
        )
        self.stdout.write(key)

    def list(self) -> None:
        users = list(ApiUser.objects.order_by("user_code_ci").prefetch_related("keys"))
        if not users:
            self.stdout.write("No simulator users.")
            return
        rows = [("CODE", "NAME", "PERMISSIONS", "KEYS")] + [
            (u.user_code, u.full_name, describe_permissions(u), str(len(u.keys.all())))
            for u in users
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            self.stdout.write("  ".join([*cells, row[3]]))
