"""The secretariat sees followers (the only place their addresses are shown) and the digests'
job rows; a failed digest can be sent again. Nothing is edited by hand."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from p2c_portal.admin import ReadOnlyInline

from . import services
from .models import Digest, Follow, Follower


class FollowInline(ReadOnlyInline):
    model = Follow
    fields = ("kind", "pledge", "entity", "country", "confirmed_at", "created_at")


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ("email", "language", "created_at")
    search_fields = ("email",)
    readonly_fields = ("email", "language", "created_at")
    fields = readonly_fields
    inlines = [FollowInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("follower", "week_start", "status", "attempts", "created_at")
    list_filter = ("status", "week_start")
    readonly_fields = ("follower", "week_start", "status", "email", "attempts", "last_error",
                       "created_at", "queued_at")
    fields = readonly_fields
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the failed digests again"))
    def send_again(self, request, queryset):
        count = sum(services.digest_resend(digest_id=pk)
                    for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext("%(count)d digest queued again.",
                                            "%(count)d digests queued again.", count)
                          % {"count": count}, messages.SUCCESS)
