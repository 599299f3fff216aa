"""Demo accounts for a newcomer's `make run`. Idempotent: running it twice changes nothing."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from members.models import User

DEMO_ACCOUNTS = [
    # email, password, full name, staff, superuser
    ("secretariat@example.org", "demo-secretariat-2022", "Demo Secretariat", True, True),
    ("member@example.org", "demo-member-2022", "Demo Member", False, False),
]


class Command(BaseCommand):
    help = "Create the demo secretariat and member accounts (local development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo accounts even when DEBUG is off (never on a real site).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to create demo accounts with known passwords while DEBUG is off. "
                "Pass --allow-production if this really is a throwaway site."
            )
        created = 0
        for email, password, full_name, is_staff, is_superuser in DEMO_ACCOUNTS:
            user, was_created = User.objects.get_or_create(
                email=email,
                defaults=dict(full_name=full_name, is_staff=is_staff, is_superuser=is_superuser),
            )
            if was_created:
                user.set_password(password)
                user.save(update_fields=["password"])
                created += 1
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults=dict(verified=True, primary=True)
            )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} accounts created)."))
        self.stdout.write("Log in at http://127.0.0.1:8000/en/accounts/login/ with:")
        for email, password, _name, is_staff, _su in DEMO_ACCOUNTS:
            role = "secretariat (admin)" if is_staff else "member"
            self.stdout.write(f"  {role:20} {email}  /  {password}")
