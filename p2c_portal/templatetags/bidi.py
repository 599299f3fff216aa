"""Mixed-direction text: what people write (a pledge's title, an entity's name) keeps its own
direction inside a sentence of the page's language, a Latin name in an Arabic sentence as an
Arabic one in an English sentence.

Markup writes <bdi>…</bdi> (inline) or dir="auto" (a block of its own) around such values; this
filter does it where markup cannot, for a value placed inside a translated sentence:
`{% blocktranslate with entity=pledge.entity.name|bdi %}By {{ entity }}{% endblocktranslate %}`
keeps the catalogue's message as it is.

Where no markup is allowed (a <title>, a meta description, an alt text), `isolated` does the same
with Unicode's own isolate characters (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE), which is
what <bdi> means in plain text.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bdi(value) -> SafeString:
    """The value, escaped, in a <bdi> element: isolated from the text around it."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def isolated(value) -> str:
    """The value between FSI and PDI: isolated in plain text (titles, attributes)."""
    return f"\u2068{value}\u2069" if value not in (None, "") else ""
