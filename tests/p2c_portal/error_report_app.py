"""Run by tests/p2c_portal/test_error_reports.py in a fresh interpreter (Sentry's SDK, once
started, patches Django and Celery for the life of the process): a view fails while handling a
member's form, called through Django's WSGI handler as gunicorn calls it; the SDK is flushed; one
JSON line says what ran."""

import io
import json
import logging
import sys
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import django

django.setup()

import sentry_sdk  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

logger = logging.getLogger("p2c_portal.error_report_test")


@csrf_exempt  # the form's token is not the point here
def pledge_save(request):
    contact_name = request.POST["contact_name"]
    contact_email = request.POST["contact_email"]
    logger.warning("saving a pledge", extra={"contact_name": contact_name,
                                             "contact_email": contact_email})
    raise ValueError(f"The mail server refused {contact_email}")
    return HttpResponse()  # never reached


urlpatterns = [path("pledge/save", pledge_save)]

form = urlencode({
    "contact_name": "Ada Lovelace", "contact_email": "ada@example.org",
    "description": "Connect the schools of Ada Lovelace's district",
}).encode()
environ = {
    "REQUEST_METHOD": "POST", "PATH_INFO": "/pledge/save", "QUERY_STRING": "email=ada@example.org",
    "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(form)),
    "wsgi.input": io.BytesIO(form), "HTTP_COOKIE": "sessionid=session-cookie-value-4242",
    "HTTP_AUTHORIZATION": "Bearer api-token-4242", "HTTP_USER_AGENT": "test-agent",
    "HTTP_HOST": "testserver", "SERVER_NAME": "testserver",
}
setup_testing_defaults(environ)
statuses = []
with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
    response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
sentry_sdk.flush(timeout=10)
json.dump({"status": int(statuses[0].split()[0]), "active": sentry_sdk.get_client().is_active()},
          sys.stdout)
