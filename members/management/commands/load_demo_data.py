"""Demo accounts and an approved entity for a newcomer's `make run`.

Idempotent: running it twice changes nothing.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from action_areas.models import Country
from members.models import Entity, EntityStatusChange, Membership, StakeholderGroup, User
from members.permissions import SECRETARIAT_GROUP

SECRETARIAT = ("secretariat@example.org", "demo-secretariat-2022", "Demo Secretariat")
MEMBER = ("member@example.org", "demo-member-2022", "Demo Member")


class Command(BaseCommand):
    help = "Create demo accounts and an approved entity (local development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo data even when DEBUG is off (never on a real site).",
        )

    @transaction.atomic
    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to create demo accounts with known passwords while DEBUG is off. "
                "Pass --allow-production if this really is a throwaway site."
            )
        secretariat = self._user(*SECRETARIAT, is_staff=True)
        secretariat.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
        member = self._user(*MEMBER, is_staff=False)
        entity, created = Entity.objects.get_or_create(
            name="Ministry of ICT and Innovation (demo)",
            defaults=dict(
                acronym="MINICT-DEMO",
                stakeholder_group=StakeholderGroup.GOVERNMENT,
                headquarters_country=Country.objects.get(iso3="RWA"),
                website="https://www.example.org/minict",
                description="A demonstration entity for trying the portal locally.",
                contact_email="contact@example.org",
                commitment_evidence="National broadband plan and community digital centres.",
                pledge_readiness="Ready to pledge to connect every school by 2026.",
                leader_name="Demo Minister",
                leader_title="Minister of ICT and Innovation",
                leader_attends_roundtable=True,
                consent_public_reporting=True,
                status=Entity.Status.APPROVED,
                applied_by=member,
            ),
        )
        if created:
            EntityStatusChange.objects.create(
                entity=entity, actor=member, to_status=Entity.Status.APPLIED
            )
            EntityStatusChange.objects.create(
                entity=entity,
                actor=secretariat,
                from_status=Entity.Status.APPLIED,
                to_status=Entity.Status.APPROVED,
            )
        Membership.objects.get_or_create(
            user=member, entity=entity, defaults={"role": Membership.Role.ADMINISTRATOR}
        )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("Log in at http://127.0.0.1:8000/en/accounts/login/ with:")
        self.stdout.write(f"  secretariat (admin desk)   {SECRETARIAT[0]}  /  {SECRETARIAT[1]}")
        self.stdout.write(f"  member of {entity.acronym:15} {MEMBER[0]}  /  {MEMBER[1]}")

    def _user(self, email: str, password: str, full_name: str, *, is_staff: bool) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults=dict(full_name=full_name, is_staff=is_staff)
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults=dict(verified=True, primary=True)
        )
        return user
