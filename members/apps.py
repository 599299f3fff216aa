from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from .secretariat_group import apply_after_migrate

        # The Secretariat group's permissions follow members.secretariat_group after every migrate.
        post_migrate.connect(apply_after_migrate, sender=self,
                             dispatch_uid="members.secretariat_permissions")
