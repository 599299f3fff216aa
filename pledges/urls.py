from django.urls import path

from .feeds import NewPledgesFeed
from .views import campaigns, member, partners, public

app_name = "pledges"

urlpatterns = [
    # --- Public site (issue 6) ---
    path("", public.home, name="home"),
    path("pledges/", public.pledge_list, name="pledge_list"),
    path("pledges/<int:pk>/", public.pledge_detail, name="pledge_detail"),
    path("pledges/export.csv", public.export_csv, name="export_csv"),
    path("pledges/export.json", public.export_json, name="export_json"),
    path("countries/", public.country_index, name="country_index"),
    path("pledges/feed.atom", NewPledgesFeed(), name="pledge_feed"),
    path("countries/<str:iso3>/", public.country_detail, name="country_detail"),
    path("events/<slug:slug>/", public.event_detail, name="event_detail"),
    path("open-data/", public.open_data_page, name="open_data"),
    path("open-data/datapackage.json", public.datapackage, name="datapackage"),
    # --- Member area (issue 4) ---
    path("my-pledges/", member.my_pledges, name="my_pledges"),
    path("my-pledges/new/", member.pledge_new, name="pledge_new"),
    path("my-pledges/<int:pk>/", member.pledge_manage, name="pledge_manage"),
    path("my-pledges/<int:pk>/edit/<slug:section>/", member.pledge_edit, name="pledge_edit"),
    path("my-pledges/<int:pk>/review/", member.pledge_review, name="pledge_review"),
    path("my-pledges/<int:pk>/submit/", member.pledge_submit, name="pledge_submit"),
    path("my-pledges/<int:pk>/withdraw/", member.pledge_withdraw, name="pledge_withdraw"),
    path("my-pledges/<int:pk>/delete/", member.pledge_delete, name="pledge_delete"),
    path("my-pledges/<int:pk>/amend/", member.pledge_amend, name="pledge_amend"),
    path("my-pledges/<int:pk>/amendments/<int:amendment_pk>/withdraw/",
         member.amendment_withdraw, name="amendment_withdraw"),
    path("open-data/revisions.csv", public.revisions_csv, name="revisions_csv"),
    path("open-data/revisions.json", public.revisions_json, name="revisions_json"),
    path("my-pledges/<int:pk>/translations/", member.pledge_translations,
         name="pledge_translations"),
    # --- Partnerships by consent (issue 18) ---
    path("my-pledges/<int:pk>/partners/", partners.pledge_partners, name="pledge_partners"),
    path("my-pledges/<int:pk>/campaigns/", campaigns.pledge_campaigns, name="pledge_campaigns"),
    path("my-pledges/<int:pk>/partners/invite/", partners.pledge_partner_invite,
         name="pledge_partner_invite"),
    path("my-pledges/partnerships/<int:pk>/", partners.partnership_respond,
         name="partnership_respond"),
    path("my-pledges/partnerships/<int:pk>/end/", partners.partnership_end,
         name="partnership_end"),
    path("pledges/<int:pk>/join/", partners.pledge_join, name="pledge_join"),
    path("my-pledges/partnerships/<int:pk>/contribution/", partners.partnership_contribution,
         name="partnership_contribution"),
    path("my-pledges/contribution-changes/<int:pk>/", partners.contribution_proposal,
         name="contribution_proposal"),
    path("my-pledges/contribution-changes/<int:pk>/withdraw/",
         partners.contribution_proposal_withdraw, name="contribution_proposal_withdraw"),
]
