from django.urls import path

from . import views

app_name = "matchmaking"

urlpatterns = [
    # --- Public ---
    path("needs/", views.need_list, name="need_list"),
    path("needs/export.csv", views.export_csv, name="export_csv"),
    path("needs/export.json", views.export_json, name="export_json"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    # --- Member area ---
    path("my-needs/", views.my_needs, name="my_needs"),
    path("my-needs/new/", views.need_new, name="need_new"),
    path("my-needs/<int:pk>/", views.need_manage, name="need_manage"),
    path("my-needs/<int:pk>/submit/", views.need_submit, name="need_submit"),
    path("my-needs/<int:pk>/close/", views.need_close, name="need_close"),
    # --- Suggestions and introductions ---
    path("my-matches/", views.my_matches, name="my_matches"),
    path("needs/<int:pk>/connect/<int:pledge_pk>/", views.introduction_propose,
         name="introduction_propose"),
    path("my-matches/introductions/<int:pk>/", views.introduction_detail,
         name="introduction_detail"),
]
