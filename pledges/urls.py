from django.urls import path

from .views import member, public

app_name = "pledges"

urlpatterns = [
    # --- Public site (issue 6) ---
    path("", public.home, name="home"),
    # --- Member area (issue 4) ---
    path("my-pledges/", member.my_pledges, name="my_pledges"),
    path("my-pledges/new/", member.pledge_new, name="pledge_new"),
    path("my-pledges/<int:pk>/", member.pledge_manage, name="pledge_manage"),
    path("my-pledges/<int:pk>/edit/<slug:section>/", member.pledge_edit, name="pledge_edit"),
    path("my-pledges/<int:pk>/review/", member.pledge_review, name="pledge_review"),
    path("my-pledges/<int:pk>/submit/", member.pledge_submit, name="pledge_submit"),
    path("my-pledges/<int:pk>/withdraw/", member.pledge_withdraw, name="pledge_withdraw"),
    path("my-pledges/<int:pk>/delete/", member.pledge_delete, name="pledge_delete"),
]
