"""Member area: write a pledge section by section, review it as the public will see it, submit
it, follow it. Thin: forms validate, services write, selectors read."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.member_selectors import acting_membership
from members.views import ACTING_ENTITY_SESSION_KEY
from p2c_portal.query_params import one_of
from p2c_portal.typed_input import storable_typed_input

from .. import (
    amendment_workflow,
    member_selectors,
    partnership_selectors,
    permissions,
    services,
    workflow,
)
from ..completeness import SECTION_NAMES, SECTIONS, missing_for_submission
from ..forms import (
    SECTION_FORMS,
    AmendmentForm,
    DetailsForm,
    NewPledgeForm,
    OriginalLanguageForm,
    SubmitForm,
    TargetFormSet,
    TranslationForm,
    TranslationRemoveForm,
    WithdrawForm,
)
from ..models import Pledge
from ..pledge_changes import model_values, proposed_changes

PENDING_POST_KEY = "pledge_pending_post"
TARGET_FIELDS = ("catalogue_indicator", "indicator", "unit", "baseline", "target_value",
                 "target_date")


MAX_KEPT_INPUT_BYTES = 64 * 1024  # far above any real form section; bounds the session row
FORM_BUTTONS = frozenset({"version", "save", "save_next", "add_target", "submit"})


def keeps_typed_input_across_login(form_accepts):
    """If the session expired while someone was typing, keep their POST, send them to log in,
    and replay it when they come back: nothing typed is lost to a timeout.

    Anyone can POST here without an account, and the session row lives for weeks, so only what
    the page's form could have sent is kept: `form_accepts(**view_kwargs)` returns a predicate on
    field names, or None when there is no such page; the whole is kept only up to
    MAX_KEPT_INPUT_BYTES."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated:
                pending = request.session.get(PENDING_POST_KEY)
                if request.method == "GET" and pending and pending["path"] == request.path:
                    del request.session[PENDING_POST_KEY]
                    data = QueryDict(mutable=True)
                    for name, values in pending.get("fields", {}).items():  # older: "body"
                        data.setlist(name, values)
                    request.method = "POST"
                    request.POST = data
                    messages.info(request, _("You were logged out: what you typed has been kept."))
                return view(request, *args, **kwargs)
            if request.method == "POST":
                request.session.pop(PENDING_POST_KEY, None)
                fields = _input_to_keep(request.POST, form_accepts(**kwargs))
                if fields:
                    request.session[PENDING_POST_KEY] = {"path": request.path, "fields": fields}
            return redirect_to_login(request.get_full_path())

        return wrapper

    return decorator


def _input_to_keep(data: QueryDict, accepts) -> dict | None:
    if accepts is None:
        return None
    fields = storable_typed_input({
        name: data.getlist(name) for name in data if name in FORM_BUTTONS or accepts(name)
    })
    size = sum(len(name.encode()) + sum(len(v.encode()) for v in values)
               for name, values in fields.items())
    return fields if size <= MAX_KEPT_INPUT_BYTES else None


def pledge_form_accepts(*, pk: int, section: str):
    """The field names a pledge form section posts (None: no such pledge or section)."""
    if section not in SECTION_NAMES or not Pledge.objects.filter(pk=pk).exists():
        return None
    if section == "targets":
        return lambda name: name.startswith("targets-")
    return SECTION_FORMS[section].base_fields.__contains__


def _acting(request):
    return acting_membership(request.user, request.session.get(ACTING_ENTITY_SESSION_KEY))


@login_required
def my_pledges(request):
    membership = _acting(request)
    if membership is None:
        messages.info(request, _("Pledges are made by entities: join or apply for one first."))
        return redirect("members:dashboard")
    entity = membership.entity
    rows = []
    for pledge in member_selectors.pledge_list_for_entity(entity):
        changes = list(pledge.status_changes.all())
        rows.append({
            "pledge": pledge,
            "last_change": changes[0] if changes else None,
            "request": next(
                (c for c in changes if c.to_status == Pledge.Status.CHANGES_REQUESTED), None
            ) if pledge.status == Pledge.Status.CHANGES_REQUESTED else None,
        })
    # Others' pledges it takes part in as an accepted partner: read-only, its own reporting.
    shared = [
        {"pledge": pledge, "partnership": pledge.entity_roles[0], "roles": pledge.entity_roles}
        for pledge in partnership_selectors.shared_pledges_for_entity(entity)
    ] if entity.status == entity.Status.APPROVED else []
    return render(request, "pledges/member/my_pledges.html", {
        "entity": entity,
        "membership": membership,
        "rows": rows,
        "shared_rows": shared,
        "can_create": permissions.can_create_pledge(request.user, entity),
    })


def new_pledge_form_accepts():
    """The field names the new-pledge form posts."""
    return NewPledgeForm.base_fields.__contains__


@keeps_typed_input_across_login(new_pledge_form_accepts)
def pledge_new(request):
    """The first section of a pledge that does not exist yet. Opening it, going back or leaving
    writes nothing; the draft is created, with everything typed, when this section is saved
    valid, and the member continues on the draft's other sections."""
    membership = _acting(request)
    if membership is None or not permissions.can_create_pledge(request.user, membership.entity):
        messages.error(
            request,
            _("Only administrators and editors of an approved entity can write pledges."),
        )
        return redirect("pledges:my_pledges")
    new_pledge = Pledge(entity=membership.entity)
    form = NewPledgeForm(request.POST if request.method == "POST" else None,
                         instance=new_pledge)
    if request.method == "POST" and form.is_valid():
        try:
            pledge = services.pledge_create(user=request.user, entity_id=membership.entity_id,
                                            values=form.cleaned_data)
        except services.PledgeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Draft saved."))
            following = _next_section("basics") if "save_next" in request.POST else "basics"
            return redirect("pledges:pledge_edit", pk=pledge.pk, section=following)
    return render(request, "pledges/member/pledge_new.html", {
        "entity": membership.entity,
        "form": form,
        "section_name": SECTION_NAMES["basics"],
        "sections": [{"slug": slug, "name": name, "current": slug == "basics"}
                     for slug, name in SECTIONS],
    })


def _section_nav(pledge: Pledge, current: str) -> list[dict]:
    unsaved = pledge.unsaved_input or {}
    return [
        {"slug": slug, "name": name, "current": slug == current, "has_unsaved": slug in unsaved,
         "url": reverse("pledges:pledge_edit", args=[pledge.pk, slug])}
        for slug, name in SECTIONS
    ]


def _next_section(section: str) -> str | None:
    slugs = [slug for slug, _name in SECTIONS]
    index = slugs.index(section)
    return slugs[index + 1] if index + 1 < len(slugs) else None


def _build_form(section: str, pledge: Pledge, data=None):
    if section == "targets":
        # Initial rows only for display: a posted row equal to its initial value would otherwise
        # count as "unchanged" and be dropped.
        initial = None if data is not None else [
            {field: getattr(target, field) for field in TARGET_FIELDS}
            for target in pledge.targets.all()
        ]
        return TargetFormSet(data, initial=initial, pledge=pledge, prefix="targets")
    form_class = SECTION_FORMS[section]
    kwargs = {"instance": pledge}
    if form_class is DetailsForm:
        kwargs["pledge_type"] = pledge.pledge_type
    return form_class(data, **kwargs)


def _valid_values(form) -> dict:
    """The fields that validated, even when others did not: they are saved at once."""
    cleaned = getattr(form, "cleaned_data", {}) or {}
    return {name: value for name, value in cleaned.items() if name not in form.errors}


def _raw_input(data: QueryDict) -> dict:
    return {key: data.getlist(key) for key in data if key != "csrfmiddlewaretoken"}


@keeps_typed_input_across_login(pledge_form_accepts)
def pledge_edit(request, pk: int, section: str):
    if section not in SECTION_NAMES:
        raise Http404
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    if not permissions.can_edit_pledge(request.user, pledge):
        messages.info(request, _("This pledge cannot be edited in its current status."))
        return redirect("pledges:pledge_manage", pk=pledge.pk)
    conflict = None
    if request.method == "POST":
        form = _build_form(section, pledge, request.POST)
        valid = form.is_valid()
        raw = None if valid else _raw_input(request.POST)
        try:
            expected_version = int(request.POST.get("version", ""))
        except ValueError:
            expected_version = -1
        try:
            if section == "targets":
                # Too many rows: keep what was typed, change nothing else.
                rows = None if form.non_form_errors() else [
                    {field: f.cleaned_data.get(field) for field in TARGET_FIELDS}
                    for f in form.forms
                    if f.is_valid() and f.cleaned_data.get("indicator")
                    and not f.cleaned_data.get("DELETE")
                ]
                services.pledge_save_targets(
                    user=request.user, pledge_id=pledge.pk, targets=rows, raw_input=raw,
                    expected_version=expected_version,
                )
            else:
                services.pledge_save_section(
                    user=request.user, pledge_id=pledge.pk, section=section,
                    values=_valid_values(form), raw_input=raw,
                    expected_version=expected_version,
                )
        except (services.EditConflict, services.PledgeError) as error:
            conflict = error
        else:
            if valid and "add_target" not in request.POST:
                messages.success(request, _("Draft saved."))
                following = _next_section(section) if "save_next" in request.POST else section
                if following is None:
                    return redirect("pledges:pledge_review", pk=pledge.pk)
                return redirect("pledges:pledge_edit", pk=pledge.pk, section=following)
            if valid:
                return redirect(f"{request.path}#targets-end")
            messages.warning(
                request,
                _("Draft saved. Some values are not valid yet: they are kept as you typed them, "
                  "correct them when you can."),
            )
            pledge = member_selectors.pledge_get_for_member(request.user, pk)
    else:
        unsaved = (pledge.unsaved_input or {}).get(section)
        data = None
        if unsaved:
            data = QueryDict(mutable=True)
            for key, values in unsaved.items():
                data.setlist(key, values)
        form = _build_form(section, pledge, data)
        if data is not None:
            form.is_valid()  # show the errors again next to what was typed
    return render(request, "pledges/member/pledge_form.html", {
        "pledge": pledge,
        "section": section,
        "section_name": SECTION_NAMES[section],
        "sections": _section_nav(pledge, section),
        "form": form,
        "conflict": str(conflict) if conflict else "",
        "change_request": member_selectors.pledge_open_change_request(pledge),
        "next_section": _next_section(section),
        "max_countries": services.MAX_COUNTRIES,
    }, status=409 if isinstance(conflict, services.EditConflict) else 200)


def _review_page(request, pledge: Pledge, *, missing, can_submit: bool, submit_form=None,
                 status: int = 200):
    return render(request, "pledges/member/pledge_review.html", {
        "pledge": pledge,
        "sections": _section_nav(pledge, "review"),
        "missing": missing,
        "can_submit": can_submit,
        "change_request": member_selectors.pledge_open_change_request(pledge),
        "submit_form": submit_form or SubmitForm(),
    }, status=status)


@login_required
def pledge_review(request, pk: int):
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    return _review_page(
        request, pledge, missing=missing_for_submission(pledge),
        can_submit=workflow.transition_allowed(request.user, pledge, "submit"),
    )


@login_required
@require_POST
def pledge_submit(request, pk: int):
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    submit_form = SubmitForm(request.POST)
    if not submit_form.is_valid():
        return _review_page(request, pledge, missing=missing_for_submission(pledge),
                            can_submit=True, submit_form=submit_form, status=400)
    try:
        pledge = workflow.pledge_transition(
            pledge_id=pledge.pk, name="submit", actor=request.user,
            message=submit_form.cleaned_data["answer"],
            expected_status=request.POST.get("expected_status") or None,
        )
    except workflow.IncompletePledge as error:
        messages.error(request, _("The pledge is not complete yet: see what is missing below."))
        return _review_page(request, pledge, missing=error.missing, can_submit=True,
                            submit_form=submit_form, status=400)
    except workflow.TransitionError as error:
        messages.info(request, str(error))
        return redirect("pledges:pledge_manage", pk=pledge.pk)
    except PermissionDenied:
        raise
    messages.success(
        request,
        _("Pledge %(reference)s has been sent to the secretariat for review. We have emailed "
          "you a copy.") % {"reference": pledge.reference},
    )
    return redirect("pledges:pledge_manage", pk=pledge.pk)


@login_required
def pledge_manage(request, pk: int):
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    history = list(member_selectors.pledge_status_history(pledge))
    can_delete = (pledge.status == Pledge.Status.DRAFT and not pledge.reference
                  and permissions.can_edit_pledge(request.user, pledge))
    return render(request, "pledges/member/pledge_manage.html", {
        "pledge": pledge,
        "history": history,
        "changes_request": next(
            (c for c in history if c.to_status == Pledge.Status.CHANGES_REQUESTED), None
        ) if pledge.status == Pledge.Status.CHANGES_REQUESTED else None,
        "can_edit": permissions.can_edit_pledge(request.user, pledge),
        # A draft nobody else has seen is deleted, not withdrawn: one way out, not two.
        "can_withdraw": not can_delete
        and workflow.transition_allowed(request.user, pledge, "withdraw"),
        "can_translate": permissions.can_translate_pledge(request.user, pledge),
        "can_amend": permissions.can_amend_pledge(request.user, pledge),
        **_amendment_context(request, pledge),
        "contribution_proposals": partnership_selectors.contribution_proposals_waiting_count(
            pledge),
        "can_delete": can_delete,
        "is_public": pledge.is_public(),
    })


@login_required
def pledge_withdraw(request, pk: int):
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    if not workflow.transition_allowed(request.user, pledge, "withdraw"):
        raise PermissionDenied
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.pledge_transition(
                pledge_id=pledge.pk, name="withdraw", actor=request.user,
                message=form.cleaned_data["message"], expected_status=pledge.status,
            )
        except workflow.TransitionError as error:
            messages.info(request, str(error))
        else:
            messages.success(request, _("The pledge has been withdrawn."))
        return redirect("pledges:pledge_manage", pk=pledge.pk)
    return render(request, "pledges/member/pledge_withdraw.html", {"pledge": pledge, "form": form})


@login_required
def pledge_delete(request, pk: int):
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    if request.method == "POST":
        try:
            services.pledge_delete_draft(user=request.user, pledge_id=pledge.pk)
        except services.PledgeError as error:
            messages.error(request, str(error))
            return redirect("pledges:pledge_manage", pk=pledge.pk)
        messages.success(request, _("The draft has been deleted."))
        return redirect("pledges:my_pledges")
    # The confirmation page is refused to whoever the deletion itself would refuse.
    if (pledge.status != Pledge.Status.DRAFT or pledge.reference
            or not permissions.can_edit_pledge(request.user, pledge)):
        raise PermissionDenied
    return render(request, "pledges/member/pledge_delete.html", {"pledge": pledge})


def pledge_translations_form_accepts(*, pk: int):
    """The field names the translations page posts (None: no such pledge)."""
    if not Pledge.objects.filter(pk=pk).exists():
        return None
    names = {*TranslationForm.base_fields, *OriginalLanguageForm.base_fields, "remove"}
    return names.__contains__


@keeps_typed_input_across_login(pledge_translations_form_accepts)
def pledge_translations(request, pk: int):
    """Add, change or remove the translations of a pledge's title and summary."""
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    if not permissions.can_translate_pledge(request.user, pledge):
        raise PermissionDenied
    # ?language= names the translation to edit (the "Edit" links); anything else is said once
    # and the page shows as without it.
    requested = request.GET.get("language", "").strip()
    language = one_of(requested, dict(settings.LANGUAGES)) or ""
    if requested and not language:
        messages.error(request, _("Choose one of the site's languages."))
    existing = pledge.translation(language) if language else None
    form = TranslationForm(initial={"language": language, **(existing or {})})
    original_form = OriginalLanguageForm(initial={"original_language": pledge.language})
    if request.method == "POST" and "original_language" in request.POST:
        original_form = OriginalLanguageForm(request.POST)
        if original_form.is_valid():
            try:
                services.pledge_set_language(
                    user=request.user, pledge_id=pledge.pk,
                    language=original_form.cleaned_data["original_language"],
                )
            except (services.PledgeError, permissions.PermissionDenied) as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The pledge's language has been saved."))
                return redirect("pledges:pledge_translations", pk=pledge.pk)
    elif request.method == "POST":
        remove = "remove" in request.POST
        form = (TranslationRemoveForm if remove else TranslationForm)(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.pledge_save_translation(
                    user=request.user, pledge_id=pledge.pk, language=data["language"],
                    title=None if remove else data["title"], summary=data.get("summary", ""),
                )
            except (services.PledgeError, permissions.PermissionDenied) as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The translation has been removed.") if remove
                                 else _("The translation has been saved."))
                return redirect("pledges:pledge_translations", pk=pledge.pk)
        if remove:  # only a tampered form: the language is a hidden field
            messages.error(request, _("Choose one of the site's languages."))
            form = TranslationForm()
    names = dict(TranslationForm().fields["language"].choices)
    return render(request, "pledges/member/pledge_translations.html", {
        "pledge": pledge,
        "form": form,
        "original_form": original_form,
        "translations": [
            {"language": code, "name": names[code], **pledge.translation(code)}
            for code in names if pledge.translation(code)
        ],
    })


def _amendment_context(request, pledge: Pledge) -> dict:
    """The amendment under way on the entity's page: its status, the secretariat's message and
    what it changes."""
    amendment = member_selectors.pledge_open_amendment(pledge)
    return {
        "open_amendment": amendment,
        "amendment_changes": proposed_changes(amendment.base, amendment.proposed)
        if amendment else [],
        "can_withdraw_amendment": amendment is not None
        and amendment_workflow.transition_allowed(request.user, amendment, "withdraw"),
    }


def _amendment_initial(pledge: Pledge, amendment) -> tuple[dict, list[dict]]:
    """The form's starting values: the amendment being revised, or the current version."""
    if amendment is not None:
        values = model_values(amendment.proposed)
        targets = values.pop("targets")
        return {**values, "reason": amendment.reason}, targets
    values = {name: getattr(pledge, name) for name in AmendmentForm.AMENDED_FIELDS
              if name != "countries"}
    values["countries"] = [country.pk for country in pledge.countries.all()]
    targets = [{field: getattr(target, field) for field in TARGET_FIELDS}
               for target in pledge.targets.all()]
    return values, targets


@login_required
def pledge_amend(request, pk: int):
    """Propose an amendment of a published pledge, or revise the one the secretariat asked
    changes to. The published version is not touched until the secretariat approves."""
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    if not permissions.can_amend_pledge(request.user, pledge):
        raise PermissionDenied
    amendment = member_selectors.pledge_open_amendment(pledge)
    if amendment is not None and amendment.status != amendment.Status.CHANGES_REQUESTED:
        messages.info(request, _("An amendment of this pledge is already under review."))
        return redirect("pledges:pledge_manage", pk=pledge.pk)
    initial, initial_targets = _amendment_initial(pledge, amendment)
    data = request.POST if request.method == "POST" else None
    form = AmendmentForm(data, initial=initial, pledge=pledge, answering=amendment is not None)
    targets = TargetFormSet(data, initial=None if data else initial_targets, pledge=pledge,
                            prefix="targets")
    error = ""
    if data is not None and form.is_valid() and targets.is_valid():
        values = form.amended_values()
        values["targets"] = [
            {field: row.cleaned_data.get(field) for field in TARGET_FIELDS}
            for row in targets.forms
            if row.cleaned_data.get("indicator") and not row.cleaned_data.get("DELETE")
        ]
        try:
            if amendment is None:
                amendment_workflow.amendment_propose(
                    user=request.user, pledge_id=pledge.pk, values=values,
                    reason=form.cleaned_data["reason"],
                )
            else:
                amendment_workflow.amendment_revise(
                    user=request.user, amendment_id=amendment.pk, values=values,
                    reason=form.cleaned_data["reason"], answer=form.cleaned_data["answer"],
                )
        except amendment_workflow.AmendmentError as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("Your amendment has been sent to the secretariat. The "
                                        "published version stays public until it is approved."))
            return redirect("pledges:pledge_manage", pk=pledge.pk)
    return render(request, "pledges/member/pledge_amend.html", {
        "pledge": pledge, "form": form, "targets": targets, "amendment": amendment,
        "error": error,
    })


@login_required
@require_POST
def amendment_withdraw(request, pk: int, amendment_pk: int):
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    amendment = member_selectors.pledge_open_amendment(pledge)
    if amendment is None or amendment.pk != amendment_pk:
        raise Http404
    if not amendment_workflow.transition_allowed(request.user, amendment, "withdraw"):
        raise PermissionDenied
    try:
        amendment_workflow.amendment_transition(
            amendment_id=amendment.pk, name="withdraw", actor=request.user,
            expected_status=amendment.status,
        )
    except amendment_workflow.AmendmentError as refusal:
        messages.info(request, str(refusal))
    else:
        messages.success(request, _("The amendment has been withdrawn."))
    return redirect("pledges:pledge_manage", pk=pledge.pk)
