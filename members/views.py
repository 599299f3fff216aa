from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from action_areas.models import Country
from p2c_portal.locale_formats import sorted_by_name
from p2c_portal.page_cache import public_page
from p2c_portal.query_params import clean_text, page_number
from p2c_portal.rate_limits import rate_limited

from . import member_selectors, permissions, selectors, services
from .forms import (
    EmailLanguageForm,
    EntityApplicationForm,
    EntityProfileForm,
    InfoRequestAnswerForm,
    InvitationForm,
    InvitationSignupForm,
    JoinRequestForm,
    RoleForm,
)
from .models import Entity, Invitation, JoinRequest, Membership, StakeholderGroup
from .workflow import TransitionError

ACTING_ENTITY_SESSION_KEY = "acting_entity_id"


# --- Member area --------------------------------------------------------------------------------


@login_required
def dashboard(request):
    memberships = list(member_selectors.entity_list_for_user(request.user))
    acting_id = request.session.get(ACTING_ENTITY_SESSION_KEY)
    if memberships and acting_id not in {m.entity_id for m in memberships}:
        acting_id = memberships[0].entity_id
    rows = []
    for membership in memberships:
        entity = membership.entity
        secretariat_messages = [
            change
            for change in entity.status_changes.all()
            if change.message and change.to_status != Entity.Status.APPLIED
        ]
        rows.append(
            {
                "membership": membership,
                "entity": entity,
                "latest_message": secretariat_messages[0] if secretariat_messages else None,
                "is_acting": entity.pk == acting_id,
                "can_manage": membership.role == Membership.Role.ADMINISTRATOR,
                "can_respond": membership.role == Membership.Role.ADMINISTRATOR
                and entity.status == Entity.Status.MORE_INFO_REQUESTED,
                "can_pledge": entity.status == Entity.Status.APPROVED
                and membership.role in (Membership.Role.ADMINISTRATOR, Membership.Role.EDITOR),
            }
        )
    return render(request, "members/dashboard.html", {"rows": rows})


@login_required
def account_language(request):
    """My account: the language of the emails this person receives."""
    form = EmailLanguageForm(
        request.POST or None, initial={"preferred_language": request.user.preferred_language}
    )
    if request.method == "POST" and form.is_valid():
        services.user_set_preferred_language(
            user=request.user, language=form.cleaned_data["preferred_language"]
        )
        messages.success(request, _("Your emails will now be written in this language."))
        return redirect("members:account_language")
    return render(request, "members/account_language.html", {"form": form})


@login_required
@require_POST
def set_acting_entity(request):
    try:
        entity_id = int(request.POST.get("entity", ""))
    except ValueError:
        raise Http404 from None
    entity, _membership = member_selectors.entity_get_for_member(request.user, entity_id)
    request.session[ACTING_ENTITY_SESSION_KEY] = entity.pk
    messages.success(request, _("You are now acting for %(entity)s.") % {"entity": entity})
    return redirect("members:dashboard")


@login_required
@rate_limited("entity_apply")
def entity_apply(request):
    form = EntityApplicationForm(request.POST or None, request.FILES or None)
    similar = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.POST.get("confirm_new"):
            similar = member_selectors.entity_find_similar(
                user=request.user,
                name=data["name"],
                acronym=data["acronym"],
                website=data["website"],
            )
        if not similar:
            try:
                entity = services.entity_apply(
                    user=request.user, data=data, logo_png=form.logo_png or b""
                )
            except services.MembersError as error:
                form.add_error(None, str(error))
            else:
                request.session[ACTING_ENTITY_SESSION_KEY] = entity.pk
                messages.success(
                    request,
                    _(
                        "Thank you: your application for %(entity)s has been sent to the ITU "
                        "secretariat. We have emailed you a copy."
                    )
                    % {"entity": entity.name},
                )
                return redirect("members:dashboard")
    return render(
        request,
        "members/entity_apply.html",
        {"form": form, "similar": similar, "join_form": JoinRequestForm()},
    )


@login_required
@require_POST
@rate_limited("join_request")
def join_request_create(request, pk: int):
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Your message is too long (at most 1,000 characters)."))
        return redirect("members:entity_apply")
    try:
        services.join_request_create(
            user=request.user, entity_id=pk, message=form.cleaned_data["message"]
        )
    except services.MembersError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your request has been sent to the entity's administrators."))
    return redirect("members:dashboard")


@login_required
def entity_team(request, pk: int):
    entity, membership = member_selectors.entity_get_for_member(request.user, pk)
    can_manage = permissions.can_manage_team(request.user, entity)
    return render(
        request,
        "members/entity_team.html",
        {
            "entity": entity,
            "membership": membership,
            "team": member_selectors.entity_team(entity),
            "invitations": member_selectors.entity_open_invitations(entity) if can_manage else [],
            "join_requests": (
                member_selectors.entity_pending_join_requests(entity) if can_manage else []
            ),
            "history": member_selectors.entity_status_history(entity),
            "can_manage": can_manage,
            "can_edit": permissions.can_edit_profile(request.user, entity),
            "invitation_form": InvitationForm(),
            "role_choices": Membership.Role.choices,
        },
    )


def _require(check: bool) -> None:
    if not check:
        raise PermissionDenied


@login_required
def entity_edit(request, pk: int):
    entity, _membership = member_selectors.entity_get_for_member(request.user, pk)
    _require(permissions.can_edit_profile(request.user, entity))
    form = EntityProfileForm(request.POST or None, request.FILES or None, instance=entity)
    if request.method == "POST" and form.is_valid():
        saved = services.entity_update_profile(
            user=request.user,
            entity_id=entity.pk,
            data=form.cleaned_data,
            logo_png=form.logo_png,
        )
        messages.success(request, _("The profile has been saved."))
        if saved.identity_request is not None:
            messages.info(request, _(
                "The change of name, stakeholder group or country waits for the secretariat's "
                "review; the current ones stay public meanwhile. You will be emailed the outcome."
            ))
        return redirect("members:entity_team", pk=entity.pk)
    return render(request, "members/entity_edit.html", {
        "entity": entity, "form": form,
        "pending_identity": member_selectors.entity_pending_identity_change(entity),
    })


@login_required
def entity_respond(request, pk: int):
    entity, _membership = member_selectors.entity_get_for_member(request.user, pk)
    _require(permissions.can_respond_to_info_request(request.user, entity))
    form = EntityApplicationForm(request.POST or None, request.FILES or None, instance=entity)
    answer_form = InfoRequestAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and answer_form.is_valid():
        try:
            services.entity_respond_to_info_request(
                user=request.user,
                entity_id=entity.pk,
                answer=answer_form.cleaned_data["answer"],
                data=form.cleaned_data,
            )
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your answer has been sent to the secretariat."))
        return redirect("members:dashboard")
    return render(
        request,
        "members/entity_respond.html",
        {
            "entity": entity,
            "form": form,
            "answer_form": answer_form,
            "question": member_selectors.entity_latest_secretariat_message(entity),
        },
    )


@login_required
@require_POST
@rate_limited("invitation")
def invitation_create(request, pk: int):
    entity, _membership = member_selectors.entity_get_for_member(request.user, pk)
    _require(permissions.can_manage_team(request.user, entity))
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(actor=request.user, entity_id=entity.pk, **form.cleaned_data)
        except services.MembersError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works for 14 days.")
                % {"email": form.cleaned_data["email"]},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("members:entity_team", pk=entity.pk)


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_id: int):
    entity, _membership = member_selectors.entity_get_for_member(request.user, pk)
    invitation = get_object_or_404(Invitation, pk=invitation_id, entity=entity)
    services.invitation_revoke(actor=request.user, invitation_id=invitation.pk)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("members:entity_team", pk=entity.pk)


@login_required
@require_POST
def membership_change_role(request, pk: int, membership_id: int):
    entity, _membership = member_selectors.entity_get_for_member(request.user, pk)
    target = get_object_or_404(Membership, pk=membership_id, entity=entity)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
    else:
        try:
            services.membership_change_role(
                actor=request.user, membership_id=target.pk, role=form.cleaned_data["role"]
            )
        except services.MembersError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {
                    "person": target.user,
                    "role": dict(Membership.Role.choices)[form.cleaned_data["role"]],
                },
            )
    return redirect("members:entity_team", pk=entity.pk)


@login_required
def membership_remove(request, pk: int, membership_id: int):
    entity, own = member_selectors.entity_get_for_member(request.user, pk)
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, entity=entity
    )
    _require(target.pk == own.pk or permissions.can_manage_team(request.user, entity))
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership_id=target.pk)
        except services.MembersError as error:
            messages.error(request, str(error))
            return redirect("members:entity_team", pk=entity.pk)
        if target.pk == own.pk:
            messages.success(request, _("You have left %(entity)s.") % {"entity": entity})
            return redirect("members:dashboard")
        messages.success(
            request, _("%(person)s was removed from the team.") % {"person": target.user}
        )
        return redirect("members:entity_team", pk=entity.pk)
    return render(
        request,
        "members/membership_remove_confirm.html",
        {"entity": entity, "target": target, "is_self": target.pk == own.pk},
    )


@login_required
@require_POST
def join_request_decide(request, pk: int, request_id: int):
    entity, _membership = member_selectors.entity_get_for_member(request.user, pk)
    join_request = get_object_or_404(JoinRequest, pk=request_id, entity=entity)
    approve = request.POST.get("decision") == "approve"
    try:
        services.join_request_decide(
            actor=request.user, join_request_id=join_request.pk, approve=approve
        )
    except services.MembersError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Request approved.") if approve else _("Request declined."))
    return redirect("members:entity_team", pk=entity.pk)


def invitation_accept(request, token: str):
    invitation = member_selectors.invitation_by_token(token)
    if invitation is None:
        return render(
            request,
            "members/invitation_invalid.html",
            {
                "reason": _("This invitation link is not valid. Ask for a new invitation."),
            },
            status=404,
        )
    if not invitation.is_open:
        if invitation.accepted_at:
            reason = _("This invitation has already been used.")
        elif invitation.revoked_at:
            reason = _("This invitation was withdrawn. Ask for a new invitation.")
        else:
            reason = _("This invitation has expired. Ask for a new invitation.")
        return render(request, "members/invitation_invalid.html", {"reason": reason}, status=410)
    signup_form = None
    if not request.user.is_authenticated:
        from members.models import User

        has_account = User.objects.filter(email__iexact=invitation.email).exists()
        if not has_account:
            signup_form = InvitationSignupForm(request.POST or None, email=invitation.email)
            if request.method == "POST" and signup_form.is_valid():
                try:
                    user, membership = services.invitation_accept_with_new_account(
                        token=token,
                        password=signup_form.cleaned_data["password1"],
                        full_name=signup_form.cleaned_data["full_name"],
                        language=get_language(),
                    )
                except services.MembersError as error:
                    messages.error(request, str(error))
                    return redirect(request.path)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                request.session[ACTING_ENTITY_SESSION_KEY] = membership.entity_id
                messages.success(
                    request, _("Welcome to %(entity)s.") % {"entity": membership.entity}
                )
                return redirect("members:dashboard")
        return render(
            request,
            "members/invitation_accept.html",
            {
                "invitation": invitation,
                "signup_form": signup_form,
                "has_account": has_account,
                "login_url": f"{reverse('account_login')}?next={request.path}",
            },
        )
    if request.method == "POST":
        try:
            membership = services.invitation_accept(user=request.user, token=token)
        except services.MembersError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        request.session[ACTING_ENTITY_SESSION_KEY] = membership.entity_id
        messages.success(request, _("Welcome to %(entity)s.") % {"entity": membership.entity})
        return redirect("members:dashboard")
    return render(request, "members/invitation_accept.html", {"invitation": invitation})


# --- Public directory ---------------------------------------------------------------------------


@require_GET
def entity_directory(request):
    query = clean_text(request.GET.get("q"), 200)
    group = clean_text(request.GET.get("group"), 40)
    country = clean_text(request.GET.get("country"), 3).upper()
    entities = selectors.entity_list_public(query=query, group=group, country=country)
    page = Paginator(entities, 24).get_page(page_number(request.GET.get("page"), last=10**6))
    return render(
        request,
        "members/entity_directory.html",
        {
            "page": page,
            "query": query,
            "group": group if group in StakeholderGroup.values else "",
            "country": country.upper(),
            "groups": StakeholderGroup.choices,
            # In the page language's alphabetical order, whatever the database's collation.
            "countries": sorted_by_name(
                Country.objects.filter(headquartered_entities__status=Entity.Status.APPROVED)
                .distinct(),
                lambda country: country.name,
            ),
        },
    )


@public_page
def entity_public(request, pk: int):
    entity = selectors.entity_get_public(pk)
    return render(
        request,
        "members/entity_public.html",
        {"entity": entity},
    )


@require_GET
def entity_logo(request, pk: int):
    entity = get_object_or_404(Entity.objects.only("logo_png", "status"), pk=pk)
    public = entity.status == Entity.Status.APPROVED
    if not (public or permissions.can_view_entity_private(request.user, entity)):
        raise Http404
    if not entity.logo_png:
        raise Http404
    response = HttpResponse(bytes(entity.logo_png), content_type="image/png")
    response["Content-Disposition"] = "inline"
    if public:
        patch_cache_control(response, public=True, max_age=3600)
    else:
        # Seen only by the entity's members and the secretariat: no shared cache may keep it.
        patch_cache_control(response, private=True, no_cache=True, no_store=True, max_age=0)
    return response
