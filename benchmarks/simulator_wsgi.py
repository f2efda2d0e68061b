"""The simulator as a WSGI app for gunicorn in the benchmarks: the Batch API's own CPU then runs
in processes of its own, on both cores, as EnergyCAP's runs on its own servers (runsimulator is
one process, whose interpreter lock would make the API the bottleneck of every concurrent fetch).
"""

import django

django.setup()

from batchui.simulator.wsgi import application  # noqa: E402

__all__ = ["application"]
