from django.urls import path

from . import views
from .feeds import PublishedReportsFeed

app_name = "reporting"

urlpatterns = [
    path("my-pledges/<int:pk>/progress/", views.progress_list, name="progress_list"),
    path("my-pledges/<int:pk>/progress/<int:cycle_id>/", views.progress_edit,
         name="progress_edit"),
    path("reports/", views.compiled_report_list, name="compiled_report_list"),
    path("reports/feed.atom", PublishedReportsFeed(), name="compiled_report_feed"),
    path("reports/<int:pk>/", views.compiled_report_detail, name="compiled_report_detail"),
    path("reports/<int:pk>/<str:language>/<str:file_format>", views.compiled_report_file,
         name="compiled_report_file"),
]
