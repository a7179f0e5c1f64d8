# cxdash: gunicorn serving app:server, as a non-root user, with demo data on first start.
FROM python:3.11-slim

# MALLOC_ARENA_MAX: glibc gives each thread its own malloc arena; with gunicorn's threads a
# worker's memory crept up ~20 MiB more over 1,000 page views of a big store (bench/memory.py).
ENV PYTHONDONTWRITEBYTECODE=1 \
    MALLOC_ARENA_MAX=2 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////var/lib/cxdash/cxdash.sqlite3 \
    CACHE_DIR=/var/lib/cxdash/cache \
    HOST=0.0.0.0 \
    PORT=8050 \
    WEB_CONCURRENCY=2 \
    CXDASH_DEMO_ON_EMPTY=1

# Debian's Chromium (and fonts) renders the chart image exports with Kaleido.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin cxdash \
    && mkdir -p /var/lib/cxdash \
    && chown cxdash:cxdash /var/lib/cxdash

WORKDIR /app
# Dependencies first (read from pyproject.toml), so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm -rf /root/.cache /tmp/requirements.txt
COPY README.md app.py gunicorn.conf.py ./
COPY dashboard dashboard
COPY layouts layouts
COPY callbacks callbacks
COPY data data
COPY assets assets
COPY docs docs
COPY scripts/docker-entrypoint scripts/docker-entrypoint
# Installed in place (editable) so that assets/ and data/migrations/ are found beside the code.
RUN pip install --no-cache-dir --no-deps -e . && rm -rf /root/.cache

USER cxdash
VOLUME ["/var/lib/cxdash"]
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"
ENTRYPOINT ["scripts/docker-entrypoint"]
