"""The secretariat issues and revokes API tokens here. The token is shown once, on the page that
follows its issue; only its digest is kept. Tokens are revoked, never edited or deleted."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken
from .services import api_token_issue, api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "contact_email", "created_at", "created_by", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "contact_email", "prefix")
    fields = ("name", "contact_email", "prefix", "created_at", "created_by", "revoked_at",
              "revoked_by")
    readonly_fields = ("prefix", "created_at", "created_by", "revoked_at", "revoked_by")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # issued: only revocation changes it
            return ("name", "contact_email", *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        issued = api_token_issue(actor=request.user, name=form.cleaned_data["name"],
                                 contact_email=form.cleaned_data.get("contact_email", ""))
        obj.pk = issued.token.pk
        obj.__dict__.update(issued.token.__dict__)
        messages.warning(request, _(
            "The API token for %(name)s is: %(token)s — copy it now and send it to the "
            "consumer safely: it will not be shown again.") % {
            "name": issued.token.name, "token": issued.raw})

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(actor=request.user, token=token)
            revoked += 1
        self.message_user(request, ngettext(
            "%(count)d token revoked: it is refused from now on.",
            "%(count)d tokens revoked: they are refused from now on.", revoked,
        ) % {"count": revoked}, messages.SUCCESS)
