FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_STATIC_ROOT=/app/static

WORKDIR /app
COPY pyproject.toml README.md manage.py gunicorn.conf.py ./
COPY config ./config
COPY triage ./triage
COPY fixtures ./fixtures
# Editable, so the app finds fixtures/ beside its package as it does in a checkout.
RUN pip install --no-cache-dir -e . \
    && DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=postgres://build@localhost/build \
       python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --home /app app

USER app
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn config.wsgi --bind 0.0.0.0:8000"]
