"""The Atom feed of published compiled reports, in the page's language."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .selectors import compiled_reports as compiled_report_selectors

FEED_LENGTH = 50


class PublishedReportsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Partner2Connect: reports")
    subtitle = _("Reports compiled and published by the Partner2Connect secretariat.")

    def link(self):
        return reverse("reporting:compiled_report_list")

    def items(self):
        return list(compiled_report_selectors.compiled_reports_published(get_language() or "en")
                    .defer("figures")[:FEED_LENGTH])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return ""

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
