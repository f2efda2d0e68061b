"""The container's HEALTHCHECK: `python -m batchui.core.healthcheck` exits 0 when /healthz answers.

Standard library only and no Django start-up (it runs every 30 s). It asks 127.0.0.1:$PORT with a
Host header the application accepts (the first entry of ALLOWED_HOSTS), so a production
ALLOWED_HOSTS does not turn the probe into a 400.
"""

from __future__ import annotations

import http.client
import os
import sys

TIMEOUT_SECONDS = 3


def probe_host(allowed_hosts: str) -> str:
    """A Host header matching ALLOWED_HOSTS (comma-separated; "" when unset: the default)."""
    for entry in (part.strip() for part in allowed_hosts.split(",")):
        if entry and entry != "*":
            return "healthcheck" + entry if entry.startswith(".") else entry
    return "127.0.0.1"


def healthy(*, port: int, host_header: str) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("GET", "/healthz", headers={"Host": host_header})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    return (
        0 if healthy(port=port, host_header=probe_host(os.environ.get("ALLOWED_HOSTS", ""))) else 1
    )


if __name__ == "__main__":
    sys.exit(main())
