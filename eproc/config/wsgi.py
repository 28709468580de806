import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eproc.config.settings")
application = get_wsgi_application()
# Import the URLconf, and with it every view module, as the worker starts rather than on its first request: a
# worker started (or recycled) at a deadline then answers its first upload as fast as the rest.
get_resolver().url_patterns  # noqa: B018 (the property's side effect is the point)
