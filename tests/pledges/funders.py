"""A funder of a pledge, as the pledges' partnership tests make one: asked for by the funder's
administrator, accepted by an administrator of the pledge's entity."""

from decimal import Decimal

from pledges import partnerships
from pledges.models import Partnership


def accepted_funder(pledge, funder_admin, *, accepted_by, amount: str = "1000",
                    currency: str = "USD", contribution: str = "Co-financing.") -> Partnership:
    """`funder_admin`'s entity (its only one) funds `pledge`, accepted by `accepted_by`."""
    request = partnerships.partnership_request(
        actor=funder_admin, pledge_id=pledge.pk,
        entity_id=funder_admin.memberships.get().entity_id, role="funder",
        contribution=contribution, amount=Decimal(amount), currency=currency)
    partnerships.partnership_transition(partnership_id=request.pk, name="accept_request",
                                        actor=accepted_by)
    return request
