"""gunicorn settings for batchui, from the environment (`gunicorn -c gunicorn.conf.py`).

    GUNICORN_BIND (or PORT)  where to listen             default 0.0.0.0:8000
    WEB_CONCURRENCY          worker processes            default 2 x CPU cores + 1, at most 8
    GUNICORN_THREADS         threads per worker          default 4 (pages wait on the Batch API)
    GUNICORN_TIMEOUT         seconds before a stuck worker is replaced   default 60
    LOG_FORMAT, LOG_LEVEL    as for Django: JSON lines (default unless DEBUG) or text, to stdout

The access log goes to stdout through the same formatter as the application's logs, with the
request id (the `X-Request-ID` the application echoes) on every line.
"""

import multiprocessing
import os

from batchui.core.logging import logging_config


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


wsgi_app = "batchui.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
# gthread, with GET /healthz answered by each worker's main loop even when all threads are busy.
worker_class = "batchui.core.worker.HealthFirstWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (with jitter, so not all at once): bounds any slow leak.
max_requests = 2000
max_requests_jitter = 200
# No control socket: it needs a writable home directory and nobody uses gunicornc here.
control_socket_disable = True
# X-Forwarded-For/-Proto are only trusted from these addresses (the reverse proxy).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# GUNICORN_ACCESSLOG=off turns the access log off (the load benchmark does).
accesslog = None if os.environ.get("GUNICORN_ACCESSLOG", "-") == "off" else "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
errorlog = "-"
_log_format = os.environ.get("LOG_FORMAT") or ("text" if _flag("DEBUG") else "json")
_level = os.environ.get("LOG_LEVEL", "INFO")
loglevel = _level.lower()
logconfig_dict = logging_config(log_format=_log_format, level=_level)
