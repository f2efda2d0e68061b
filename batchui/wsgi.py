"""The dashboard as a WSGI application (what gunicorn serves: gunicorn.conf.py)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "batchui.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, the URLs) lives as long as the process. Frozen, the
# garbage collector's full passes skip it and scan only what requests create: a page that reads
# 20,000 batches (the review) then pays for its own objects, not for the whole program's.
gc.freeze()
