"""The pledge as the public sees it (templates/pledges/includes/pledge_body.html), written in
Python rather than as template nodes: a distinct pledge page spent some 4 ms of its 12 ms of CPU
resolving the body's variables, filters and translation tags one node at a time (issue 20,
BENCHMARKS.md). The markup is the one the template wrote.

Everything public about the pledge, nothing private (never the contact person, unsaved input or
the secretariat's messages): the public pledge page and the member area's review and manage
pages show it, so it takes only the pledge and nothing about the request. Expects the pledge
loaded with its detail prefetches (pledges.selectors.pledge_get_public or
member_selectors.pledge_get_for_member).

As in a template: what people wrote is escaped (`html_text`); the catalogue's sentences are not, as
{% translate %} and {% blocktranslate %} leave them, and the values put into a sentence are
escaped first. What people wrote keeps its own direction (a Latin title on an Arabic page):
<bdi> around names, dir="auto" on blocks of text."""

from itertools import groupby

from django import template
from django.template.defaultfilters import linebreaks_filter, linebreaksbr
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from p2c_portal.templatetags.locale_formats import (
    local_amount,
    local_date,
    local_list,
    local_month,
    local_number,
)

from .pledges_public import advocacy_labels, of_area, pledge_countries, pledge_text

register = template.Library()


def html_text(value) -> str:
    """A value as {{ value }} writes it: localised, then escaped unless already safe."""
    return conditional_escape(localize(value))


def html_bdi(value) -> str:
    """A value as {{ value|bdi }} writes it: escaped, isolated in <bdi>."""
    return f"<bdi>{html_text(value)}</bdi>"


def _fact(label: str, value: str, value_attributes: str = "") -> str:
    """One row of the key facts: a catalogue label and its (escaped or safe) value."""
    return (f'<dt class="col-sm-4">{label}</dt>\n'
            f'<dd class="col-sm-8"{value_attributes}>{value}</dd>\n')


def _section(ident: str, level: int, heading: str, content: str) -> str:
    """One section of the body: its heading (a catalogue sentence) at `level`, then `content`."""
    return (f'<section class="mt-4" aria-labelledby="{ident}">\n'
            f'<h{level} id="{ident}" class="h5">{heading}</h{level}>\n{content}</section>\n')


def _header(pledge, text: dict, level: int, lang: str) -> str:
    reference = (f'<span class="pledge-reference">{html_text(pledge.reference)}</span> · '
                 if pledge.reference else "")
    kind = html_text(pledge.get_pledge_type_display()) or gettext("Type not chosen")
    completed = ""
    if pledge.status == "completed":
        completed = gettext("Completed")
        completed = f' <span class="badge text-bg-success ms-1">{completed}</span>'
    entity = pledge.entity
    name = html_bdi(entity.name)
    if entity.status == "approved":
        url = reverse("members:entity_public", args=[entity.pk])
        by = gettext('By <a href="%(entity_url)s">%(entity)s</a>') % {
            "entity_url": html_text(url), "entity": name}
    else:
        by = gettext("By %(entity)s") % {"entity": name}
    title = html_text(text["title"]) or gettext("Untitled pledge")
    return (
        f'<header class="mb-3">\n'
        f'<p class="text-body-secondary mb-1">{reference}{kind}{completed}</p>\n'
        f'<h{level} id="pledge-title" class="pledge-title" dir="auto"{lang}>{title}</h{level}>\n'
        f'<p class="mb-1">{by} <span class="text-body-secondary">'
        f"({html_text(entity.get_stakeholder_group_display())})</span></p>\n"
        f"</header>\n"
    )


def _period(pledge) -> str:
    start, end = pledge.start_date, pledge.end_date
    if start and end:
        value = gettext("From %(start)s to %(end)s") % {
            "start": html_text(local_date(start)), "end": html_text(local_date(end))}
    elif start:
        value = gettext("From %(start)s") % {"start": html_text(local_date(start))}
    elif end:
        value = gettext("Until %(end)s") % {"end": html_text(local_date(end))}
    else:
        return ""
    return _fact(gettext("Period"), value)


def _financial_facts(pledge) -> str:
    facts = ""
    if pledge.amount:
        facts += _fact(gettext("Amount"), html_text(local_amount(pledge.amount, pledge.currency)))
    if pledge.usd_amount:
        value = html_text(local_amount(pledge.usd_amount, "USD"))
        if pledge.currency != "USD" and pledge.usd_rate_date:
            rate = gettext("at the UN operational rate of %(month)s") % {
                "month": html_text(local_month(pledge.usd_rate_date))}
            if pledge.usd_rate_is_test_data:
                rate += " ({})".format(gettext("a test rate, not an official one"))
            value += f' <span class="text-body-secondary">{rate}</span>'
        facts += _fact(gettext("Amount in US dollars"), value)
    elif pledge.amount and pledge.currency:
        pending = gettext("(the UN operational rate of %(month)s is not recorded yet)") % {
            "month": html_text(local_month(pledge.amount_month))}
        label, value = gettext("Amount in US dollars"), gettext("USD equivalent pending")
        facts += (f'<dt class="col-sm-4">{label}</dt>\n'
                  f'<dd class="col-sm-8 usd-pending">{value} '
                  f'<span class="text-body-secondary">{pending}</span></dd>\n')
    if pledge.modality:
        facts += _fact(gettext("Modality"), html_text(pledge.get_modality_display()))
    if pledge.disbursement_start or pledge.disbursement_end:
        start = html_text(local_date(pledge.disbursement_start)) or "…"
        end = html_text(local_date(pledge.disbursement_end)) or "…"
        facts += _fact(gettext("Disbursement"), f"{start} – {end}")
    return facts


def _type_facts(pledge) -> str:
    """What only a pledge of its type says (an amount, an instrument, activities, people)."""
    if pledge.pledge_type == "financial":
        return _financial_facts(pledge)
    facts = ""
    if pledge.pledge_type == "policy":
        if pledge.policy_instrument:
            facts += _fact(gettext("Policy instrument"),
                           html_text(pledge.get_policy_instrument_display()))
        if pledge.policy_stage:
            facts += _fact(gettext("Stage"), html_text(pledge.get_policy_stage_display()))
        if pledge.jurisdiction:
            facts += _fact(gettext("Jurisdiction"), html_bdi(pledge.jurisdiction))
    elif pledge.pledge_type == "advocacy":
        activities = advocacy_labels(pledge.advocacy_activities)
        if activities:
            facts += _fact(gettext("Activities"), local_list(activities))
        if pledge.audience:
            facts += _fact(gettext("Audience"), html_bdi(pledge.audience))
    elif pledge.pledge_type == "programme":
        if pledge.programme_kind:
            facts += _fact(gettext("Programme"), html_text(pledge.get_programme_kind_display()))
        if pledge.people_to_reach:
            facts += _fact(gettext("People to reach"),
                           html_text(local_number(pledge.people_to_reach)))
    return facts


def _key_facts(pledge, sub: int) -> str:
    facts = _fact(gettext("Type of pledge"),
                  html_text(pledge.get_pledge_type_display()) or gettext("Not chosen yet"))
    if pledge.event:
        url = reverse("pledges:event_detail", args=[pledge.event.slug])
        facts += _fact(gettext("Announced at"),
                       f'<a href="{html_text(url)}">{html_bdi(pledge.event.name)}</a>')
    facts += _period(pledge)
    if pledge.published_at:
        facts += _fact(gettext("Published"), html_text(local_date(pledge.published_at)))
    if pledge.contributions_usd:  # accepted funders (pledges.partnerships), counted once
        facts += _fact(gettext("USD committed with its funders"),
                       html_text(local_amount(pledge.usd_committed, "USD")),
                       ' id="usd-committed"')
    facts += _type_facts(pledge)
    return _section("pledge-facts", sub, gettext("Key facts"),
                    f'<dl class="row pledge-facts">\n{facts}</dl>\n')


def _framework(pledge, sub: int) -> str:
    pillars = pledge.pillars.all()
    between = pgettext("between a label and its value", ": ")
    items = ""
    for area in pledge.action_areas.all():
        area_pillars = of_area(pillars, area)
        listed = f"{between}{local_list(area_pillars)}" if area_pillars else ""
        items += f"<li><strong>{html_text(area.name)}</strong>{listed}</li>\n"
    if not items:
        items = "<li>{}</li>\n".format(gettext("No action area chosen yet."))
    return _section("pledge-framework", sub, gettext("Action areas and pillars"),
                    f'<ul class="pledge-areas">\n{items}</ul>\n')


def _where(pledge, sub: int) -> str:
    where = ""
    if pledge.is_global:
        where += '<p><span class="badge text-bg-primary">{}</span> {}</p>\n'.format(
            gettext("Global"), gettext("This pledge acts worldwide."))
    regions = pledge.regions.all()
    if regions:
        where += "<p>{} {}</p>\n".format(gettext("Regions:"), local_list(regions))
    countries = pledge.countries.all()
    if countries:
        where += (f'<ul class="list-inline pledge-countries">\n{pledge_countries(countries)}\n'
                  f"</ul>\n")
    elif not pledge.is_global and not regions:
        where += "<p>{}</p>\n".format(gettext("Not stated yet."))
    return _section("pledge-where", sub, gettext("Where it acts"), where)


def _whom_and_sdgs(pledge, sub: int) -> str:
    sections = ""
    groups = pledge.beneficiary_groups.all()
    if groups:
        badges = "".join(f'<li class="list-inline-item"><span class="badge text-bg-light border">'
                         f"{html_text(group.name)}</span></li>" for group in groups)
        sections += _section("pledge-whom", sub, gettext("Whom it serves"),
                             f'<ul class="list-inline">{badges}</ul>\n')
    sdgs = pledge.sdgs.all()
    if sdgs:
        items = "".join(f"<li>{html_text(sdg)}</li>" for sdg in sdgs)
        sections += _section("pledge-sdgs", sub, gettext("Sustainable Development Goals"),
                             f"<ul>{items}</ul>\n")
    return sections


def _partner(partnership) -> str:
    url = reverse("members:entity_public", args=[partnership.entity.pk])
    amount = (f' — <span class="partner-amount">'
              f"{html_text(local_amount(partnership.amount, partnership.currency))}</span>"
              if partnership.amount else "")
    contribution = (f'<div class="small text-body-secondary" dir="auto">'
                    f"{linebreaksbr(partnership.contribution)}</div>"
                    if partnership.contribution else "")
    return (f'<li><a href="{html_text(url)}">{html_bdi(partnership.entity)}</a>{amount}'
            f"{contribution}</li>")


def _partners(pledge, sub: int) -> str:
    partners = pledge.accepted_partners
    if not partners and not pledge.other_partners:
        return ""
    accepted = ""
    if partners:  # accepted by their entity (pledges.partnerships), grouped by role
        roles = "".join(
            f'<dt>{html_text(role)}</dt>\n<dd><ul class="mb-2">'
            f'{"".join(_partner(partnership) for partnership in partnerships)}</ul></dd>\n'
            for role, partnerships in groupby(
                partners, key=lambda partnership: str(partnership.get_role_display())))
        accepted = f'<dl class="pledge-partners">{roles}</dl>\n'
    others = (f'<div dir="auto">{linebreaks_filter(pledge.other_partners)}</div>\n'
              if pledge.other_partners else "")
    return _section("pledge-partners", sub, gettext("Partners"), accepted + others)


def _target_row(target) -> str:
    indicator = target.catalogue_indicator
    name = indicator.name if indicator else target.indicator
    unit = indicator.unit if indicator else target.unit
    baseline = (html_text(local_number(target.baseline)) if target.baseline is not None else "—")
    return (f'<tr>\n<th scope="row" class="fw-normal">{html_bdi(name)}</th>\n'
            f'<td class="text-end">{baseline}</td>\n'
            f'<td class="text-end">{html_text(local_number(target.target_value))}</td>\n'
            f"<td>{html_bdi(unit)}</td>\n"
            f"<td>{html_text(local_date(target.target_date))}</td>\n</tr>\n")


def _targets(pledge, sub: int) -> str:
    targets = pledge.targets.all()
    if targets:
        rows = "".join(_target_row(target) for target in targets)
        caption = gettext("What the pledge will achieve, and by when")
        end = ' class="text-end"'
        columns = "".join(
            f'<th scope="col"{align}>{label}</th>\n'
            for align, label in (("", gettext("Indicator")), (end, gettext("Baseline")),
                                 (end, gettext("Target")), ("", gettext("Unit")),
                                 ("", gettext("By"))))
        # Focusable: a phone scrolls it (WCAG 2.1.1).
        body = (
            f'<div class="table-responsive" tabindex="0" role="group" '
            f'aria-labelledby="pledge-targets">\n<table class="table table-sm align-middle">\n'
            f'<caption class="visually-hidden">{caption}</caption>\n'
            f"<thead><tr>\n{columns}</tr></thead>\n"
            f"<tbody>\n{rows}</tbody>\n</table>\n</div>\n")
    else:
        body = "<p>{}</p>\n".format(gettext("No target yet."))
    return _section("pledge-targets", sub, gettext("Targets"), body)


@register.simple_tag
def pledge_body(pledge, heading_level=2, translated=False, sections_after="") -> SafeString:
    """The whole public body of a pledge as an <article>: its title at `heading_level`
    (default 2) and its sections one level below; the title and summary in the visitor's
    language when `translated` and the pledge has them. `sections_after`: safe HTML that other
    apps add at the end of the article (the progress timeline)."""
    level = int(heading_level or 2)
    sub = level + 1
    text = pledge_text(pledge, translated)
    lang = f' lang="{html_text(text["language"])}"' if text["language"] else ""
    summary = (f'<p class="lead" dir="auto"{lang}>{html_text(text["summary"])}</p>\n'
               if text["summary"] else "")
    description = (f'<div class="pledge-description" dir="auto">'
                   f"{linebreaks_filter(pledge.description)}</div>\n"
                   if pledge.description else "")
    # Every part is escaped, safe (local_list, linebreaks, pledge_countries) or a catalogue
    # sentence with escaped values; `sections_after` is the caller's safe HTML.
    return mark_safe(
        f'<article class="pledge-body" aria-labelledby="pledge-title">\n'
        f"{_header(pledge, text, level, lang)}{summary}{description}"
        f"{_key_facts(pledge, sub)}{_framework(pledge, sub)}{_where(pledge, sub)}"
        f"{_whom_and_sdgs(pledge, sub)}{_partners(pledge, sub)}{_targets(pledge, sub)}"
        f"{conditional_escape(sections_after)}</article>"
    )
