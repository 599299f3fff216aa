"""django-allauth hooks: allauth's emails go through the site's one email path."""

from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from p2c_portal.languages import offered_language, page_in_language
from p2c_portal.mail import email_queue

from .models import User


def _link_in_language(value, language: str):
    """allauth builds its links (activate_url, password_reset_url…) in the request's language:
    the same page under the recipient's language prefix instead."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return value
    parts = urlsplit(value)
    address = page_in_language(urlunsplit(("", "", parts.path, parts.query, "")), language)
    path, _, query = address.partition("?")
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The same context allauth's own send_mail gives its templates ("Hello from {site}!").
        request = allauth_context.request
        # An account's emails are in its owner's language; a sign-up's in the page's.
        recipient = User.objects.filter(email__iexact=email).first()
        language = offered_language(
            recipient.preferred_language if recipient else translation.get_language()
        )
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {
                    "request": request,
                    "email": email,
                    "current_site": get_current_site(request),
                    **{key: _link_in_language(value, language) for key, value in context.items()},
                },
            )
        body_html = ""
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/html":
                body_html = content
        # allauth renders the HTML as the main body when there is no text template.
        body_text = message.body if message.content_subtype == "plain" else ""
        if message.content_subtype == "html":
            body_html = message.body
        email_queue(
            to=message.to,
            subject=message.subject,
            body_text=body_text,
            body_html=body_html,
            template=template_prefix,
            language=language,
        )

    def save_user(self, request, user, form, commit=True):
        # A new account's emails are in the language the person signed up in.
        user.preferred_language = offered_language(translation.get_language())
        user.full_name = form.cleaned_data.get("full_name", "")
        return super().save_user(request, user, form, commit=commit)
