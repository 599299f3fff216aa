"""factory_boy factories shared by every test folder. Traits name states."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from action_areas.models import Country
from members.models import User

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    preferred_language = "en"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Verified email by default (allauth refuses logins otherwise); verified=False to skip."""
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )
        if create:
            self.save()

    class Params:
        staff = factory.Trait(is_staff=True)
        superuser = factory.Trait(is_staff=True, is_superuser=True)
        french = factory.Trait(preferred_language="fr")


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Entity"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Entity number {n}")
    acronym = factory.Sequence(lambda n: f"E{n}")
    stakeholder_group = "government"
    headquarters_country = factory.LazyFunction(lambda: Country.objects.get(iso3="RWA"))
    website = factory.Sequence(lambda n: f"https://entity{n}.example.org")
    description = "Connecting schools and clinics."
    contact_email = factory.Sequence(lambda n: f"contact{n}@entity.example.org")
    commitment_evidence = "Ten years of rural broadband projects."
    pledge_readiness = "Ready to pledge to connect 1,000 schools."
    leader_name = "Grace Leader"
    leader_title = "Minister"
    leader_attends_roundtable = True
    consent_public_reporting = True
    status = "approved"

    class Params:
        applied = factory.Trait(status="applied")
        more_info = factory.Trait(status="more_info_requested")
        rejected = factory.Trait(status="rejected")
        suspended = factory.Trait(status="suspended")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Membership"

    user = factory.SubFactory(UserFactory)
    entity = factory.SubFactory(EntityFactory)
    role = "editor"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pledges.Event"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"event-{n}")
    name_en = factory.Sequence(lambda n: f"Event {n}")
    name_translations = factory.Sequence(lambda n: {"fr": f"Événement {n}"})
    location = "Geneva"
    start_date = datetime.date(2023, 10, 1)
    end_date = datetime.date(2023, 10, 3)


class PledgeFactory(factory.django.DjangoModelFactory):
    """A complete pledge (it could be submitted as is). Traits set the review status the way the
    workflow would: `submitted=True`, `published=True`, etc."""

    class Meta:
        model = "pledges.Pledge"
        skip_postgeneration_save = True

    entity = factory.SubFactory(EntityFactory)
    title = factory.Sequence(lambda n: f"Connect {n} rural schools")
    summary = "Connect rural schools to broadband and train their teachers."
    description = "Fibre and satellite links, solar power and teacher training."
    pledge_type = "programme"
    programme_kind = "new"
    people_to_reach = 50000
    start_date = datetime.date(2022, 6, 1)
    end_date = datetime.date(2026, 12, 31)
    contact_name = "Paul Pledger"
    contact_email = "paul@example.org"
    status = "draft"

    class Params:
        submitted = factory.Trait(
            status="submitted",
            reference=factory.Sequence(lambda n: f"P2C-2022-{n + 1:04d}"),
            first_submitted_at=factory.LazyFunction(timezone.now),
            submitted_at=factory.LazyFunction(timezone.now),
        )
        published = factory.Trait(
            status="published",
            reference=factory.Sequence(lambda n: f"P2C-2022-{n + 1:04d}"),
            first_submitted_at=factory.LazyFunction(timezone.now),
            submitted_at=factory.LazyFunction(timezone.now),
            published_at=factory.LazyFunction(timezone.now),
        )
        financial = factory.Trait(
            pledge_type="financial", programme_kind="", people_to_reach=None,
            amount=Decimal("1000000.00"), currency="USD", usd_amount=Decimal("1000000.00"),
            usd_rate=Decimal("1"), usd_rate_date=datetime.date(2022, 6, 1),
            amount_month=datetime.date(2022, 6, 1), modality="grant",
        )

    @factory.post_generation
    def with_defaults(self, create, extracted, **kwargs):
        """One action area, one country and one target unless the test passes its own."""
        if not create or extracted is False:
            return
        from action_areas.models import ActionArea, Country

        if not self.action_areas.exists():
            self.action_areas.add(ActionArea.objects.get(code="access"))
        if not (self.is_global or self.countries.exists() or self.regions.exists()):
            self.countries.add(Country.objects.get(iso3="RWA"))
        if not self.targets.exists():
            TargetFactory(pledge=self)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pledges.Target"

    pledge = factory.SubFactory(PledgeFactory)
    indicator = "Schools connected"
    unit = "schools"
    baseline = Decimal("0")
    target_value = Decimal("1000")
    target_date = datetime.date(2026, 6, 30)


def accepted_co_pledgers(pledge, entities) -> None:
    """Co-pledgers as an accepted invitation leaves them (pledges.partnerships): a partnership
    and the entity in `pledge.co_pledgers`. For fixtures only: the site invites and asks."""
    from pledges.models import Partnership

    for entity in entities:
        Partnership.objects.create(pledge=pledge, entity=entity, status="accepted",
                                   accepted_at=pledge.published_at or pledge.created_at)
        pledge.co_pledgers.add(entity)


class NeedFactory(factory.django.DjangoModelFactory):
    """A need of an approved entity; `published=True` as the workflow would leave it (its
    suggestions not computed yet: matchmaking.suggestions)."""

    class Meta:
        model = "matchmaking.Need"
        skip_postgeneration_save = True

    entity = factory.SubFactory(EntityFactory)
    title = factory.Sequence(lambda n: f"Rural backhaul for district {n}")
    description = "Fibre backhaul to connect 40 rural health centres."
    support_kind = "finance"
    status = "draft"

    class Params:
        submitted = factory.Trait(status="submitted",
                                  submitted_at=factory.LazyFunction(timezone.now))
        published = factory.Trait(status="published",
                                  submitted_at=factory.LazyFunction(timezone.now),
                                  published_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def with_defaults(self, create, extracted, **kwargs):
        """The Access area and Rwanda unless the test passes its own."""
        if not create or extracted is False:
            return
        from action_areas.models import ActionArea, Country

        if not self.action_areas.exists():
            self.action_areas.add(ActionArea.objects.get(code="access"))
        if not self.countries.exists():
            self.countries.add(Country.objects.get(iso3="RWA"))
