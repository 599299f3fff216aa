"""The Atom feed of newly published pledges, in the page's language (titles and summaries in
that language where the pledge has a translation), linked from every page's <head>."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import selectors

FEED_LENGTH = 50


class NewPledgesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Partner2Connect: newly published pledges")
    subtitle = _("The latest pledges published by the Partner2Connect Digital Coalition.")

    def link(self):
        return reverse("pledges:pledge_list")

    def items(self):
        return selectors.pledge_latest_public(limit=FEED_LENGTH)

    def item_title(self, item):
        return item.text_in(get_language() or "")["title"]

    def item_description(self, item):
        return item.text_in(get_language() or "")["summary"]

    def item_author_name(self, item):
        return item.entity.name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
