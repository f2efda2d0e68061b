"""`check_api`: a read-only compatibility probe of the configured Batch API host.

    python manage.py check_api                  # with ECI_API_KEY
    python manage.py check_api --api-key KEY
    python manage.py check_api --user USERNAME  # with that person's own stored key

Prints what matches and what differs (batchui.batchapi.probe) and exits with status 1 when
something would break the dashboard. Never prints the key.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from batchui.accounts.services import ApiKeyUnreadable, MissingApiKey, api_caller_for
from batchui.batchapi import BatchApiClient, RetryPolicy
from batchui.batchapi.probe import probe_host


class Command(BaseCommand):
    help = "Probe the configured Batch API host (read-only): what matches the dashboard, what not."
    requires_system_checks = []  # a wrong BATCH_API_URL is one of the things it reports

    def add_arguments(self, parser: CommandParser) -> None:
        keys = parser.add_mutually_exclusive_group()
        keys.add_argument("--api-key", help="the key to probe with (default: ECI_API_KEY)")
        keys.add_argument("--user", help="probe with this dashboard user's own stored key")

    def handle(self, *args, api_key: str | None, user: str | None, **options) -> None:
        key = self._key(api_key, user)
        try:
            client = BatchApiClient(
                settings.BATCH_API_URL,
                timeout=settings.BATCH_API_TIMEOUT,
                connect_timeout=settings.BATCH_API_CONNECT_TIMEOUT,
                retry=RetryPolicy(max_attempts=1),
            )
        except ValueError as invalid:
            raise CommandError(f"BATCH_API_URL: {invalid}") from None
        target = settings.BATCH_API_URL or "the embedded simulator"
        self.stdout.write(
            f"Batch API host: {target} (BATCH_API_TIME_ZONE={settings.BATCH_API_TIME_ZONE})"
        )
        with client:
            findings = probe_host(client, api_key=key)
        for finding in findings:
            mark = "ok     " if finding.matches else ("BREAKS " if finding.breaks else "differs")
            line = f"{mark}  {finding.topic}: {finding.text}"
            if not finding.matches:
                line = (self.style.ERROR if finding.breaks else self.style.WARNING)(line)
            self.stdout.write(line)
        breaking = sum(finding.breaks for finding in findings)
        if breaking:
            raise CommandError(f"{breaking} finding(s) would break the dashboard with this host.")
        differing = sum(not finding.matches for finding in findings)
        self.stdout.write(
            self.style.SUCCESS("Everything matches.")
            if not differing
            else f"{differing} difference(s), none that breaks the dashboard."
        )

    @staticmethod
    def _key(api_key: str | None, username: str | None) -> str:
        if api_key:
            return api_key
        if username:
            person = get_user_model().objects.filter(username=username).first()
            if person is None:
                raise CommandError(f"No dashboard user {username!r}.")
            try:
                caller = api_caller_for(person)
            except ApiKeyUnreadable:
                raise CommandError(f"{username}'s stored key cannot be decrypted.") from None
            except MissingApiKey:
                caller = None
            if caller is None or not caller.own_key:
                raise CommandError(f"{username} has no API key of their own.")
            return caller.key
        if settings.ECI_API_KEY:
            return settings.ECI_API_KEY
        raise CommandError("No key: give --api-key KEY or --user USERNAME, or set ECI_API_KEY.")
