"""Member area: propose a pledge for a pledging campaign open today, and follow the
secretariat's answers. Thin: the form validates, pledges.campaign_tags writes and reads."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import campaign_tags, member_selectors, permissions


class CampaignTagForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=None, empty_label=gettext_lazy("Choose…"),
        error_messages={"required": gettext_lazy("Choose one of the campaigns open today."),
                        "invalid_choice": gettext_lazy("Choose one of the campaigns open "
                                                       "today.")},
    )

    def __init__(self, *args, pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_tags.campaigns_open_for(pledge)
        self.fields["campaign"].label_from_instance = lambda campaign: campaign.name


@login_required
def pledge_campaigns(request, pk: int):
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    can_tag = permissions.can_tag_campaigns(request.user, pledge)
    form = CampaignTagForm(request.POST if request.method == "POST" else None, pledge=pledge)
    if request.method == "POST":
        if not can_tag:
            raise PermissionDenied
        if form.is_valid():
            try:
                tag = campaign_tags.campaign_tag_propose(
                    actor=request.user, pledge_id=pledge.pk,
                    campaign_id=form.cleaned_data["campaign"].pk)
            except campaign_tags.CampaignTagError as error:
                form.add_error("campaign", str(error))
            else:
                messages.success(request, _("Your pledge is proposed for “%(campaign)s”. The "
                                            "secretariat confirms it before it is shown on the "
                                            "campaign's page.")
                                 % {"campaign": tag.campaign.name})
                return redirect("pledges:pledge_campaigns", pk=pledge.pk)
    return render(request, "pledges/member/pledge_campaigns.html", {
        "pledge": pledge, "tags": member_selectors.pledge_campaign_tags(pledge),
        "can_tag": can_tag, "form": form,
        "has_open_campaigns": form.fields["campaign"].queryset.exists(),
    })
