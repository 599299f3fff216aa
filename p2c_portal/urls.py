from allauth.account.decorators import secure_admin_login
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views
from .staff_two_factor import AuthenticatorAdmin

# The admin's own login form would bypass allauth's rate limits: send it through allauth.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Partner2Connect secretariat")
admin.site.site_title = _("P2C secretariat")
admin.site.index_title = _("Review desk")
# allauth registers authenticators with their secrets on show; ours hides them.
admin.site.unregister(Authenticator)
admin.site.register(Authenticator, AuthenticatorAdmin)

handler400 = "p2c_portal.views.bad_request"
handler404 = "p2c_portal.views.page_not_found"
handler500 = "p2c_portal.views.server_error"
# Not one of Django's handlers: allauth's rate limits (and p2c_portal.rate_limits) answer with it.
handler429 = "p2c_portal.views.too_many_requests"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Token-protected (P2C_METRICS_TOKEN), never public: p2c_portal.views.metrics.
    path("metrics", views.metrics, name="metrics"),
    # Outside the language prefixes: it leads from any language to any other.
    path("language/<str:language>/", views.language_switch, name="language_switch"),
    path("api/v1/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("contact/", views.contact, name="contact"),
    path("", include("members.urls")),
    path("", include("pledges.urls")),
    path("", include("reporting.urls")),
    path("", include("matchmaking.urls")),
    path("", include("following.urls")),
    path("", include("api.guide_urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
