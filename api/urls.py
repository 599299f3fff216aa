from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

# /api/v1/…: outside the language prefixes (the language is a parameter, not a path).
# Detail paths take any text and the views answer 404 (JSON) to what is not a public record's
# id: "-4" or "abc" never reaches Django's HTML 404 page.
urlpatterns = [
    path("pledges/", views.PledgeList.as_view(), name="pledge_list"),
    path("pledges/removed/", views.PledgeRemovalList.as_view(), name="pledge_removal_list"),
    path("pledges/<str:pk>/", views.PledgeDetail.as_view(), name="pledge_detail"),
    path("entities/", views.EntityList.as_view(), name="entity_list"),
    path("entities/<str:pk>/", views.EntityDetail.as_view(), name="entity_detail"),
    path("countries/", views.CountryList.as_view(), name="country_list"),
    path("action-areas/", views.ActionAreaList.as_view(), name="action_area_list"),
    path("indicators/", views.IndicatorList.as_view(), name="indicator_list"),
    path("goals/", views.GoalList.as_view(), name="goal_list"),
    path("progress-reports/", views.ProgressReportList.as_view(), name="progress_report_list"),
    path("compiled-reports/", views.CompiledReportList.as_view(),
         name="compiled_report_list"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's files, its start-up script a file of its own
    # (the split view): nothing inline, so the site's CSP holds.
    path("reference/", SpectacularSwaggerSplitView.as_view(
        url_name="api:schema", template_name="api/swagger_ui.html"), name="reference"),
]
