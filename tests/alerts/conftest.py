import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _empty_job_queue(django_db_blocker):
    """Procrastinate's tables are not Django's to flush between tests: each test starts with no job and no worker."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs, procrastinate_workers RESTART IDENTITY CASCADE")
    yield
