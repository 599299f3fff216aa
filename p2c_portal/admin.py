from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat import admin as celery_beat_admin
from django_celery_beat.models import CrontabSchedule

from .mail import email_resend
from .models import OutboundEmail


class ReadOnlyAdminMixin:
    """For an admin page (or inline) that shows records and never writes them: they are written
    by their app's services (workflow, audit trail, emails), and the desk decides through its
    own pages and actions, which ask their own permissions. Mixed in before the admin class."""

    def has_add_permission(self, request, obj=None) -> bool:  # obj: an inline is asked with it
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A record shown beside its object and never edited there: audit trails, report values,
    compiled files. Each app's admin builds its read-only inlines on this one."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        # The people and objects the rows name, in the same query (no query per row).
        related = [
            name for name in self.fields
            if any(f.name == name and f.many_to_one for f in self.model._meta.get_fields())
        ]
        return super().get_queryset(request).select_related(*related)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = (
        "subject",
        "recipients",
        "template",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "template", "language")
    search_fields = ("subject", "to")
    date_hierarchy = "created_at"
    actions = ["resend_failed"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    @admin.display(description=_("recipients"))
    def recipients(self, email: OutboundEmail) -> str:
        return ", ".join(email.to)

    def has_add_permission(self, request) -> bool:
        return False

    # Failed for good, or uncertain (cut off mid-send: check with the recipient first, if it
    # matters; a resend carries the same Message-ID).
    @admin.action(description=_("Resend the selected failed or uncertain emails"))
    def resend_failed(self, request, queryset):
        count = sum(email_resend(email_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


# django-celery-beat's crontab page computes its "human readable" line with Celery's parser, which
# refuses some values the model's validators accept ("negative numbers not supported"): the
# form shown again with such a value, and the list once one is saved, were a 500 (found by
# tests/p2c_portal/test_hostile_admin_input.py). Here a value Celery cannot read shows as empty.
admin.site.unregister(CrontabSchedule)


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(celery_beat_admin.CrontabScheduleAdmin):
    def human_readable(self, obj):
        try:
            return obj.human_readable
        except Exception:  # celery's ParseException, or any other refusal of its parser
            return self.get_empty_value_display()
