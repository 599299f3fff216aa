from django import template

from ..models import target_name

register = template.Library()


@register.simple_tag
def followed_name(follow) -> str:
    """The name of what a follow points at, in the email's language."""
    return target_name(follow.target)


@register.simple_tag
def pledge_title(pledge) -> str:
    return target_name(pledge)
