"""The portal's URLs plus /bench/baseline/: a constant string through the same middleware, the
yardstick of `make bench` (ratio to the baseline). Loaded only by bench.settings."""

from django.http import HttpResponse
from django.urls import path

from p2c_portal.urls import handler404, handler500  # noqa: F401
from p2c_portal.urls import urlpatterns as portal_urlpatterns


def baseline(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *portal_urlpatterns]
