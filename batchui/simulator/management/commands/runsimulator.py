"""`manage.py runsimulator [addr:port]`: serve the Batch API simulator over HTTP, a thread per
connection."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from batchui.simulator.faults import parse_fault_spec
from batchui.simulator.serializers import api_zone
from batchui.simulator.server import SimulatorServer

DEFAULT_ADDRPORT = "127.0.0.1:8100"
ADDRPORT = re.compile(r"(?:(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(?P<port>[0-9]{1,5})")


def parse_addrport(text: str) -> tuple[str, int, bool]:
    """ "8100", "0.0.0.0:8100", "[::1]:8100" -> (host, port, ipv6). CommandError when invalid."""
    match = ADDRPORT.fullmatch(text.strip())
    if not match or int(match["port"]) > 65535:
        raise CommandError(f"{text!r} is not an address and port such as 127.0.0.1:8100")
    host = match["host"] or "127.0.0.1"
    ipv6 = host.startswith("[")
    return host.strip("[]"), int(match["port"]), ipv6


class Command(BaseCommand):
    help = (
        "Serve the simulated Batch API (/api/v3/batch...) over HTTP, by default on "
        f"{DEFAULT_ADDRPORT}. SIMULATOR_LATENCY_MS and SIMULATOR_FAULTS add latency and faults."
    )
    requires_system_checks: list[str] = []

    server: SimulatorServer | None = None

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDRPORT, help="[addr:]port")

    def handle(self, *args, addrport: str, **options) -> None:
        host, port, ipv6 = parse_addrport(addrport)
        parse_fault_spec(settings.SIMULATOR_FAULTS)  # a bad setting stops here, not per call
        try:
            api_zone()
        except (ValueError, ZoneInfoNotFoundError) as error:
            raise CommandError(f"SIMULATOR_TIME_ZONE: {error}") from error
        self.check_migrations()
        try:
            self.server = SimulatorServer((host, port), ipv6=ipv6)
        except OSError as error:
            raise CommandError(f"cannot listen on {addrport}: {error}") from error
        self.stdout.write(f"Batch API simulator at {self.server.url}/api/v3/batch (Ctrl-C to stop)")
        if settings.SIMULATOR_LATENCY_MS or settings.SIMULATOR_FAULTS:
            self.stdout.write(
                f"Added latency {settings.SIMULATOR_LATENCY_MS} ms; random faults: "
                f"{settings.SIMULATOR_FAULTS or 'none'}"
            )
        try:
            self.server.serve_forever(poll_interval=0.1)
        except KeyboardInterrupt:
            pass
        finally:
            self.server.server_close()
