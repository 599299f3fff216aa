"""API tokens sent as `Authorization: Bearer <token>`: a known, unrevoked token raises the
client's rate limit; an unknown or revoked one is refused (401), so that a consumer notices."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken
from .services import token_digest

MAX_TOKEN_LENGTH = 100


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2 or len(header[1]) > MAX_TOKEN_LENGTH:
            raise exceptions.AuthenticationFailed(_("Invalid API token."))
        raw = header[1].decode("ascii", "replace")
        token = ApiToken.objects.active().filter(digest=token_digest(raw)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API token."))
        return (None, token)

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI description: optional, anonymous access is the default."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "Optional: an API token issued by the secretariat raises the "
                               "rate limit."}
