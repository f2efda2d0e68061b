"""The dashboard's settings plus the benchmark-only floor page (benchmarks/floor.py).

DJANGO_SETTINGS_MODULE=benchmarks.dashboard_settings   (the benchmarks' gunicorn; never production)
"""

from pathlib import Path

from batchui.settings import *  # noqa: F403
from batchui.settings import TEMPLATES

ROOT_URLCONF = "benchmarks.floor"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]
