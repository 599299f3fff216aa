from django.urls import path

from . import views

app_name = "api_guide"

# /<lang>/api/: the guide is a page of the site, in each language.
urlpatterns = [
    path("api/", views.api_guide, name="guide"),
]
