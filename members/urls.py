from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("me/language/", views.account_language, name="account_language"),
    path("me/acting-for/", views.set_acting_entity, name="set_acting_entity"),
    path("entities/", views.entity_directory, name="entity_directory"),
    path("entities/apply/", views.entity_apply, name="entity_apply"),
    path("entities/<int:pk>/", views.entity_public, name="entity_public"),
    path("entities/<int:pk>/logo.png", views.entity_logo, name="entity_logo"),
    path("entities/<int:pk>/join/", views.join_request_create, name="join_request_create"),
    path("my-entities/<int:pk>/", views.entity_team, name="entity_team"),
    path("my-entities/<int:pk>/edit/", views.entity_edit, name="entity_edit"),
    path("my-entities/<int:pk>/respond/", views.entity_respond, name="entity_respond"),
    path("my-entities/<int:pk>/invite/", views.invitation_create, name="invitation_create"),
    path(
        "my-entities/<int:pk>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "my-entities/<int:pk>/members/<int:membership_id>/role/",
        views.membership_change_role,
        name="membership_change_role",
    ),
    path(
        "my-entities/<int:pk>/members/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "my-entities/<int:pk>/join-requests/<int:request_id>/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
