"""factory_boy factories shared by every test folder. Traits name states."""

import factory
from allauth.account.models import EmailAddress

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
