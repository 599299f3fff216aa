"""Give the Secretariat group exactly the permissions listed in members.secretariat_group.

`--check` changes nothing and exits with an error if the group holds more or less than the list
(for CI and for a production database someone may have edited by hand).
"""

from django.core.management.base import BaseCommand, CommandError

from members.secretariat_group import (
    apply_secretariat_permissions,
    secretariat_permissions_drift,
)


class Command(BaseCommand):
    help = "Give the Secretariat group exactly the permissions listed in members.secretariat_group."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="report a difference and fail, change nothing")

    def handle(self, *args, check=False, **options):
        if check:
            missing, extra = secretariat_permissions_drift()
            for name in sorted(missing):
                self.stdout.write(f"missing: {name}")
            for name in sorted(extra):
                self.stdout.write(f"extra: {name}")
            if missing or extra:
                raise CommandError("The Secretariat group differs from its list.")
            self.stdout.write("The Secretariat group holds exactly its list.")
            return
        added, removed = apply_secretariat_permissions()
        for name in sorted(added):
            self.stdout.write(f"granted: {name}")
        for name in sorted(removed):
            self.stdout.write(f"revoked: {name}")
        self.stdout.write("The Secretariat group holds exactly its list.")
