# syntax=docker/dockerfile:1
# batchui: Django on gunicorn (gunicorn.conf.py), static files collected at build time and served
# by whitenoise. Runtime dependencies only; runs as an unprivileged user. See docs/deployment.md.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY requirements.txt .
RUN python -m venv /venv && /venv/bin/pip install -r requirements.txt
COPY manage.py gunicorn.conf.py ./
COPY batchui ./batchui
COPY templates ./templates
COPY static ./static
# Hashed, compressed copies of the static files (whitenoise's manifest storage).
RUN SECRET_KEY=collectstatic-only STATIC_ROOT=/app/staticfiles \
      /venv/bin/python manage.py collectstatic --noinput --verbosity 0 \
 && /venv/bin/python -m compileall -q /app/batchui

FROM ${PYTHON_IMAGE}
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=batchui.settings \
    STATIC_ROOT=/app/staticfiles \
    DEBUG=false \
    PORT=8000
# A fixed numeric uid/gid, so that volume permissions can be set on the host.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin app \
 && mkdir /data \
 && chown app:app /data
WORKDIR /app
COPY --from=build /venv /venv
# Owned by root and read-only for the app user: the code cannot be changed by the process.
COPY --from=build /app /app
# Only for a single instance on SQLite (DATABASE_URL=sqlite:////data/db.sqlite3).
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-m", "batchui.core.healthcheck"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
