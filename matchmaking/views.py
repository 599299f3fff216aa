"""Needs: the public list and pages, the member area (write, submit, close), suggestions and
proposals to connect. Thin: forms validate, services write, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.member_selectors import acting_membership
from members.views import ACTING_ENTITY_SESSION_KEY
from p2c_portal.page_cache import public_page
from p2c_portal.query_params import database_id, page_number
from pledges.models import Pledge

from . import open_data, permissions, selectors, services, workflow
from .forms import NeedForm, ProposeForm
from .models import Need

FACET_LABELS = {
    "area": gettext_lazy("Action area"), "pillar": gettext_lazy("Pillar"),
    "country": gettext_lazy("Country"),
    "region": gettext_lazy("ITU-D region"), "group": gettext_lazy("LDC, LLDC or SIDS"),
    "support": gettext_lazy("Kind of support"), "stakeholder": gettext_lazy("Stakeholder group"),
    "state": gettext_lazy("Open or met"),
}


# --- Public --------------------------------------------------------------------------------------


@public_page(whole_page=False)
def need_list(request):
    filters = selectors.NeedFilters.from_query(request.GET)
    facet_counts = selectors.facet_counts(filters)
    counts = facet_counts["counts"]
    paginator = Paginator(selectors.need_list_public(filters), selectors.PAGE_SIZE)
    paginator.count = facet_counts["total"]  # counted with the facets: no second count
    page = paginator.get_page(page_number(request.GET.get("page"), last=paginator.num_pages))
    options = selectors.facet_options(get_language())
    facets = []
    for name in selectors.NeedFilters.FACETS:
        chosen = filters.values.get(name, [])
        values = [{"value": value, "label": label, "count": counts[name].get(value, 0),
                   "selected": value in chosen}
                  for value, label in options[name]
                  if counts[name].get(value) or value in chosen]
        facets.append({"name": name, "label": FACET_LABELS[name], "values": values,
                       "open": bool(chosen)})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "matchmaking/need_list.html", {
        "filters": filters, "page": page, "facets": facets,
        "query_string": query.urlencode(), "max_search_length": selectors.MAX_SEARCH_LENGTH,
    })


@public_page(whole_page=False)
def need_detail(request, pk: int):
    need = selectors.need_get_public(pk)
    suggestions = selectors.need_suggestions(need)
    writer_entities = (set(selectors.writer_entity_ids(request.user))
                       if request.user.is_authenticated else set())
    return render(request, "matchmaking/need_detail.html", {
        "need": need,
        "facts": selectors.need_facts(need.pk),
        "suggestions": suggestions,
        "entities": selectors.suggested_entities(suggestions),
        "may_propose": need.entity_id in writer_entities,
        "proposing_pledges": {s.pledge_id for s in suggestions
                              if s.pledge.entity_id in writer_entities},
    })


def _export_name(extension: str) -> str:
    return f"p2c-needs-{timezone.localdate().isoformat()}.{extension}"


@public_page(whole_page=False)
def export_csv(request):
    filters = selectors.NeedFilters.from_query(request.GET)
    response = StreamingHttpResponse(open_data.csv_lines(selectors.need_list_public(filters)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    return response


@public_page(whole_page=False)
def export_json(request):
    filters = selectors.NeedFilters.from_query(request.GET)
    response = StreamingHttpResponse(open_data.json_chunks(selectors.need_list_public(filters)),
                                     content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{_export_name("json")}"'
    return response


# --- Member area ---------------------------------------------------------------------------------


def _acting(request):
    return acting_membership(request.user, request.session.get(ACTING_ENTITY_SESSION_KEY))


@login_required
def my_needs(request):
    membership = _acting(request)
    if membership is None:
        messages.info(request, _("Needs are published by entities: join or apply for one first."))
        return redirect("members:dashboard")
    paginator = Paginator(Need.objects.for_entity(membership.entity)
                          .order_by("-updated_at", "-pk"), selectors.PAGE_SIZE)
    return render(request, "matchmaking/my_needs.html", {
        "entity": membership.entity, "membership": membership,
        "page": paginator.get_page(page_number(request.GET.get("page"),
                                               last=paginator.num_pages)),
        "can_create": permissions.can_create_need(request.user, membership.entity),
    })


@login_required
@require_http_methods(["GET", "POST"])
def need_new(request):
    membership = _acting(request)
    if membership is None:
        return redirect("members:dashboard")
    if not permissions.can_create_need(request.user, membership.entity):
        raise PermissionDenied
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        need = services.need_create(user=request.user, entity=membership.entity,
                                    values=form.cleaned_data)
        messages.success(request, _("Need saved as a draft. Submit it when it is ready."))
        return redirect("matchmaking:need_manage", need.pk)
    return render(request, "matchmaking/need_form.html", {"form": form, "need": None,
                                                          "entity": membership.entity})


@login_required
@require_http_methods(["GET", "POST"])
def need_manage(request, pk: int):
    need = selectors.need_get_for_member(request.user, pk)
    editable = permissions.can_edit_need(request.user, need)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = NeedForm(request.POST, instance=need)
        valid = form.is_valid()
        try:
            services.need_save(
                user=request.user, need_id=need.pk, values=form.valid_values(),
                raw_input=None if valid else {k: request.POST.getlist(k) for k in request.POST
                                              if k in form.fields},
                expected_version=database_id(request.POST.get("version")))
        except services.NeedError as error:
            messages.error(request, str(error))
            return render(request, "matchmaking/need_form.html",
                          {"form": form, "need": need, "entity": need.entity}, status=409)
        if valid:
            messages.success(request, _("Need saved."))
            return redirect("matchmaking:need_manage", need.pk)
        need.refresh_from_db()
        return render(request, "matchmaking/need_form.html",
                      {"form": form, "need": need, "entity": need.entity})
    if editable:
        form = NeedForm(MultiValueDict(need.unsaved_input) if need.unsaved_input else None,
                        instance=need)
        if need.unsaved_input:
            form.is_valid()  # show what still needs correcting
        return render(request, "matchmaking/need_form.html", {
            "form": form, "need": need, "entity": need.entity,
            "transitions": workflow.allowed_transitions(need, request.user),
        })
    return render(request, "matchmaking/need_manage.html", {
        "need": need, "facts": selectors.need_facts(need.pk),
        "transitions": workflow.allowed_transitions(need, request.user),
        "changes": need.status_changes.select_related("actor")[:20],
    })


def _member_transition(request, pk: int, name: str, done: str):
    need = selectors.need_get_for_member(request.user, pk)
    try:
        workflow.need_transition(need_id=need.pk, name=name, actor=request.user,
                                 expected_status=request.POST.get("status") or None)
    except workflow.TransitionError as error:
        messages.error(request, str(error))
    except PermissionDenied:
        raise
    else:
        messages.success(request, done)
    return redirect("matchmaking:need_manage", need.pk)


@login_required
@require_POST
def need_submit(request, pk: int):
    return _member_transition(request, pk, "submit",
                              _("Need submitted: the secretariat will review it."))


@login_required
@require_POST
def need_close(request, pk: int):
    return _member_transition(request, pk, "close", _("Need closed."))


# --- Suggestions and introductions ---------------------------------------------------------------


@login_required
def my_matches(request):
    return render(request, "matchmaking/my_matches.html", {
        "suggestions": selectors.suggestions_for_member(request.user),
        "waiting": selectors.pending_introductions_for_member(request.user),
        "introductions": selectors.introduction_list_for_member(request.user)[:50],
        "writer_entities": set(selectors.writer_entity_ids(request.user)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def introduction_propose(request, pk: int, pledge_pk: int):
    need = selectors.need_get_public(pk)
    pledge = Pledge.objects.public().select_related("entity").filter(pk=pledge_pk).first()
    if pledge is None or not need.is_open():
        raise Http404
    entities = [entity for entity in (need.entity, pledge.entity)
                if permissions.can_propose_for(request.user, entity)]
    if not entities or need.entity_id == pledge.entity_id:
        raise Http404
    form = ProposeForm(request.POST or None, entities=entities)
    if request.method == "POST" and form.is_valid():
        entity = next(e for e in entities if e.pk == form.cleaned_data["from_entity"])
        try:
            services.introduction_propose(
                user=request.user, need_id=need.pk, pledge_id=pledge.pk, from_entity=entity,
                message=form.cleaned_data["message"])
        except services.NeedError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Proposal sent. You will be told when they answer."))
            return redirect("matchmaking:my_matches")
    return render(request, "matchmaking/introduction_propose.html",
                  {"form": form, "need": need, "pledge": pledge})


@login_required
@require_http_methods(["GET", "POST"])
def introduction_detail(request, pk: int):
    introduction = selectors.introduction_get_for_member(request.user, pk)
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            messages.error(request, _("Choose to accept or to decline."))
        else:
            try:
                services.introduction_answer(user=request.user, introduction_id=pk,
                                             accept=answer == "accept")
            except PermissionDenied:
                messages.error(request, _("This proposal cannot be answered now."))
            else:
                messages.success(request, _("Your answer has been sent."))
        return redirect("matchmaking:introduction_detail", pk)
    return render(request, "matchmaking/introduction_detail.html", {
        "introduction": introduction,
        "can_answer": permissions.can_answer_introduction(request.user, introduction),
        "contacts": selectors.introduction_contacts(request.user, introduction),
    })
