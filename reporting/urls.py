from django.urls import path

from . import views
from .feeds import PublishedReportsFeed

app_name = "reporting"

urlpatterns = [
    path("my-pledges/<int:pk>/progress/", views.progress_list, name="progress_list"),
    path("my-pledges/<int:pk>/progress/<int:cycle_id>/", views.progress_edit,
         name="progress_edit"),
    path("open-data/goals.csv", views.goals_csv, name="goals_csv"),
    path("goals/", views.goal_list, name="goal_list"),
    path("goals/<slug:code>/", views.goal_detail, name="goal_detail"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("events/", views.event_index, name="event_index"),
    path("reports/", views.compiled_report_list, name="compiled_report_list"),
    path("reports/feed.atom", PublishedReportsFeed(), name="compiled_report_feed"),
    path("reports/<int:pk>/", views.compiled_report_detail, name="compiled_report_detail"),
    path("reports/<int:pk>/<str:language>/<str:file_format>", views.compiled_report_file,
         name="compiled_report_file"),
]
