"""The dashboard as a WSGI application (what gunicorn serves: gunicorn.conf.py)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "batchui.settings")
application = get_wsgi_application()

# The garbage collector, tuned for pages that decode thousands of batches at once (the review
# reads 20,000: with the default thresholds about a hundred collections, ~80 ms a load).
# What is loaded by now (Django, the apps, the URLs) lives as long as the process: frozen, full
# passes skip it. Collections start after 50,000 new objects instead of 700: reference cycles
# wait a little longer to be freed (a few MB at most).
gc.freeze()
gc.set_threshold(50_000, 20, 10)
