import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from config.chunked_body import ChunkedBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = ChunkedBodies(get_wsgi_application(), limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
