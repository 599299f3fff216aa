# The P2C portal image: one image for the web (gunicorn), the Celery worker and Celery beat.
# Built by `docker compose build` (see docker-compose.yml); the default command serves the site.
# It runs the production settings: manage.py and celery.py would otherwise default to local ones.
# It runs behind one TLS-terminating proxy, whose X-Forwarded-For entry is the client's address
# for the rate limits (TRUSTED_PROXY_COUNT; docker-compose.yml, with no proxy, sets 0).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=p2c_portal.settings.production \
    TRUSTED_PROXY_COUNT=1

# An unprivileged user to run everything as; only var/ (static files, uploads) belongs to it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
       --shell /usr/sbin/nologin app

WORKDIR /app

# The fonts the PDF reports embed (reporting/compiled_report_fonts.py): Noto Sans and Noto Naskh
# Arabic, and WenQuanYi Micro Hei for Chinese. Found in /usr/share/fonts (PDF_FONT_DIRS' default),
# never downloaded at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-core fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own layer: pinned exactly in requirements.txt.
COPY requirements.txt ./
RUN pip install -r requirements.txt && pip check

COPY . .
RUN mkdir -p var/static var/media var/import-files && chown -R app:app var

USER app

# Static files are collected into the image (var/static, served by WhiteNoise). Production settings
# refuse to start without their variables, so this one step gets dummy values that exist only for
# it. Nothing is contacted; they are placeholders (visible in `docker history`, never in the
# image's environment), and the real values come from the container's environment at run time.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-placeholder-not-a-secret-0123456789abcdef \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build:build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    EMAIL_URL=smtp://build.invalid:25 \
    python manage.py collectstatic --no-input -v0

EXPOSE 8000

# Kept identical to the web service's command in docker-compose.yml (a test checks this).
# Threaded workers (gthread): a worker's main thread keeps telling the arbiter it is alive while
# its threads serve requests, so --timeout 60 stops a hung worker but never cuts a long
# streamed download (the open-data CSV of every pledge runs for tens of seconds).
CMD ["gunicorn", "p2c_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--timeout", "60", "--graceful-timeout", "30", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-", "--error-logfile", "-"]
