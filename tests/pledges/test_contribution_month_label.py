"""The admin labels of a funder's contribution read in every offered language: the field added
for rates uploaded later ("month of the amount") was missing from the catalogues after the
merge (it showed in English, or as a fuzzy guess meaning "month of the rate used")."""

import pytest
from django.conf import settings
from django.utils import translation

from pledges.models import Partnership, PartnershipAmendment


@pytest.mark.parametrize("model", [Partnership, PartnershipAmendment])
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_amount_month_label_is_translated(model, language):
    with translation.override("en"):
        english = str(model._meta.get_field("amount_month").verbose_name)
    with translation.override(language):
        label = str(model._meta.get_field("amount_month").verbose_name)
        rate_label = str(model._meta.get_field("usd_rate_date").verbose_name)
    assert english == "month of the amount"
    assert label != english
    assert label != rate_label  # not the fuzzy guess
