"""The largest request body the site reads: MAX_REQUEST_BODY_BYTES (settings), the same cap the
reverse proxy applies (README, "Behind a reverse proxy": nginx `client_max_body_size 12m`, Caddy
`request_body { max_size 12MB }`).

Django streams an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE into a temporary file before any
form sees it; the import desk refuses a file over 10 MB only then. Without a proxy in front (the
docker compose stack serves gunicorn directly) a 1 GB POST would be written to the web
container's disk first. This middleware refuses a body whose declared length is over the cap
before a byte of it is read, the way Django itself refuses too many fields or too big a form:
RequestDataTooBig, a 400. A Content-Length that is not a number is a 400 too.
"""

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            # gunicorn refuses it first; Django's body reader would raise ValueError (a 500).
            raise BadRequest("Malformed Content-Length.") from None
        if declared > settings.MAX_REQUEST_BODY_BYTES:
            raise RequestDataTooBig(
                f"Request body of {declared} bytes exceeds MAX_REQUEST_BODY_BYTES."
            )
        return self.get_response(request)
