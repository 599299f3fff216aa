"""Rate limits on the portal's own write endpoints, counted the way allauth counts logins.

One mechanism for the whole site: allauth's rate limiter (public API `allauth.core.ratelimit`),
which keeps its counters in the cache, reads its limits from `settings.ACCOUNT_RATE_LIMITS` and
its client address from X-Forwarded-For as far as `ALLAUTH_TRUSTED_PROXY_COUNT` allows. The
portal's actions sit in that setting beside allauth's (e.g. "entity_apply": "20/h/user,60/h/ip").
Past a limit the answer is the site's 429 page (p2c_portal.views.too_many_requests), the same page
allauth's own limits show.
"""

from functools import wraps

from allauth.core import ratelimit


def rate_limited(action: str):
    """Count each POST to the view against the limits of `action`; GETs are never counted.

    Put it below `login_required`: the limits count per account as well as per client address.
    """

    def decorate(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if not ratelimit.consume(request, action=action):
                return ratelimit.respond_429(request)
            return view(request, *args, **kwargs)

        return limited

    return decorate
