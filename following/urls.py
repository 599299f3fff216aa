from django.urls import path

from . import views

app_name = "following"

urlpatterns = [
    # Before follow/<kind>/<key>/, which would take "confirm" for a kind.
    path("follow/confirm/<str:token>/", views.follow_confirm, name="follow_confirm"),
    path("follow/stop/<str:token>/", views.follow_stop, name="follow_stop"),
    path("follow/stop-all/<str:token>/", views.follower_stop_all, name="follower_stop_all"),
    path("follow/<str:kind>/<str:key>/", views.follow_new, name="follow_new"),
]
