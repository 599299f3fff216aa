"""The API's rate limit, on the site's one rate-limit machinery (p2c_portal.rate_limits): allauth's
limiter, its counters in the cache, its limits in settings.ACCOUNT_RATE_LIMITS ("api_anonymous",
"api_token"), the client address read as far as TRUSTED_PROXY_COUNT allows. Unlike the site's
forms, every request counts, GETs included. Past the limit DRF answers 429 with Retry-After."""

from allauth.core.internal import ratelimit
from rest_framework.throttling import BaseThrottle

ALLAUTH_APP = "allauth.account"  # whose settings hold the limits (ACCOUNT_RATE_LIMITS)


class ApiRateLimit(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        token = request.auth
        action = "api_token" if token is not None else "api_anonymous"
        key = f"api-token-{token.pk}" if token is not None else None
        self.rates = ratelimit.get_rates(app=ALLAUTH_APP, action=action)
        return bool(ratelimit.consume(
            request, app=ALLAUTH_APP, action=action, key=key, limit_get=True,
        ))

    def wait(self) -> float | None:
        """The longest window of the limits: by then every counted request has expired."""
        return max((rate.duration for rate in self.rates), default=None)
