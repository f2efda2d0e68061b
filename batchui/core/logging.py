"""Log records as JSON lines (production) or text (DEBUG), each with the request id it belongs to.

`ContextFilter` (on the handler) gives every record a `request_id` (the one of the request being
served, or "-"). `JsonFormatter` writes one JSON object per line: time, level, logger, message,
request_id, every extra field passed with `logger.info(..., extra={...})` (the Batch API client
passes each call's `api_method`, `api_path`, `api_outcome`, `elapsed_ms`, `attempt` and
`request_id` so), and `exception` when there is one.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has: anything else on a record is an extra field.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
# gunicorn's access-log atoms (the record's args) worth a field of their own.
_ACCESS_ATOMS = {"m": "method", "U": "path", "s": "status", "M": "duration_ms", "h": "remote_addr"}


class ContextFilter(logging.Filter):
    """Adds `request_id` (and the fields of gunicorn access lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            for atom, name in _ACCESS_ATOMS.items():
                if atom in atoms and not hasattr(record, name):
                    setattr(record, name, atoms[atom])
            if not hasattr(record, "request_id"):
                given = atoms.get("{x-request-id}o")
                record.request_id = given if given and given != "-" else "-"
        if not hasattr(record, "request_id"):
            # Imported here: settings build LOGGING from this module before apps are loaded.
            from batchui.batchapi.client import current_request_id

            record.request_id = current_request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; never multi-line (tracebacks go into the `exception` field)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD and name not in entry and not name.startswith("_"):
                entry[name] = value  # written as text when JSON has no form for it
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING dict for `log_format` "json" or "text" (also used by gunicorn.conf.py)."""
    formatter = "json" if log_format == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "batchui.core.logging.ContextFilter"}},
        "formatters": {
            "json": {"()": "batchui.core.logging.JsonFormatter"},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["context"],
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # django-axes announces itself at INFO on every start; lockouts are WARNING.
            "axes.apps": {"level": "WARNING"},
            # gunicorn's own loggers, when gunicorn.conf.py hands them this configuration.
            "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
