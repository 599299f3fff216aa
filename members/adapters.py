"""django-allauth hooks: allauth's emails go through the site's one email path."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from p2c_portal.mail import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The same context allauth's own send_mail gives its templates ("Hello from {site}!").
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context,
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
            language=translation.get_language() or "",
        )

    def save_user(self, request, user, form, commit=True):
        # A new account's emails are in the language the person signed up in.
        user.preferred_language = (translation.get_language() or "en")[:2]
        return super().save_user(request, user, form, commit=commit)
