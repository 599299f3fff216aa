from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("my-pledges/<int:pk>/progress/", views.progress_list, name="progress_list"),
    path("my-pledges/<int:pk>/progress/<int:cycle_id>/", views.progress_edit,
         name="progress_edit"),
]
