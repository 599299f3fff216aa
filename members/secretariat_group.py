"""The Secretariat group's permissions, all in one place, each with the reason it is held.

Staff in the group run the review desk (the Django admin) without being superusers. This list is
the source of truth: `apply_secretariat_permissions` makes the group hold exactly these, no more
(it runs after every `migrate` and through `manage.py secretariat_permissions`, whose `--check`
mode reports a drift without changing anything). The data migrations that granted permissions
piecemeal only record history now.

Permissions are named by strings, never by importing the apps that own them, so that this module
stays in `members` (which owns the group) without breaking the layers.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

SECRETARIAT_GROUP = "Secretariat"

# (model, permission codename, why the secretariat holds it). Deliberately absent:
# members.add/change/delete_membership — a secretariat member who belongs to an entity could make
# themselves its administrator; an entity's team is managed by its own administrators (invitations
# and join requests with consent) and, when it must be forced, by a superuser. No delete_ on
# pledges or entities: withdrawal and suspension are workflow transitions with an audit trail.
SECRETARIAT_PERMISSIONS: tuple[tuple[str, str, str], ...] = (
    # Entities: the vetting desk.
    ("members.entity", "view_entity", "reads applications and the entity register"),
    ("members.entity", "change_entity", "corrects an entity's profile while vetting it"),
    ("members.entity", "vet_entity", "approves, rejects, suspends and reinstates entities"),
    ("members.entity", "import_entity", "imports the entity register from a spreadsheet"),
    ("members.entity", "export_entity", "exports the entity register to a spreadsheet"),
    ("members.historicalentity", "view_historicalentity", "reads who changed an entity and when"),
    ("members.entitystatuschange", "view_entitystatuschange", "reads an entity's status history"),
    ("members.entityidentitychange", "view_entityidentitychange",
     "reads the name, group and country changes entities ask for"),
    ("members.entityidentitychange", "review_entityidentitychange",
     "approves or rejects an approved entity's change of name, group or country"),
    ("members.membership", "view_membership", "sees who speaks for an entity (read only)"),
    ("members.membershipchange", "view_membershipchange", "reads an entity's team history"),
    ("members.invitation", "view_invitation", "answers questions about pending invitations"),
    ("members.joinrequest", "view_joinrequest", "answers questions about requests to join"),
    ("members.user", "view_user", "finds a person's account when helping them"),
    # The desk's internal notes (members.desk_admin): written and read by the secretariat only,
    # never changed or deleted (they are what was said, when, by whom). Assigning a record to a
    # reviewer needs no permission of its own: whoever may decide on a record (vet_entity,
    # review_pledge) shares out its queue, and only such staff can be assigned.
    ("members.entitynote", "view_entitynote", "reads the secretariat's notes on an entity"),
    ("members.entitynote", "add_entitynote", "notes what the secretariat learnt while vetting"),
    ("pledges.pledgenote", "view_pledgenote", "reads the secretariat's notes on a pledge"),
    ("pledges.pledgenote", "add_pledgenote", "notes what the secretariat learnt while reviewing"),
    # The open API (api/): tokens that raise a consumer's rate limit. Issued once (the token is
    # shown once, only its digest kept), revoked rather than deleted, so that who had one stays
    # on record.
    ("api.apitoken", "view_apitoken", "sees which consumers hold API tokens"),
    ("api.apitoken", "add_apitoken", "issues an API token to a data consumer"),
    ("api.apitoken", "change_apitoken", "revokes an API token"),
    # Pledges: the review desk.
    ("pledges.pledge", "view_pledge", "reads submitted and published pledges"),
    ("pledges.pledge", "change_pledge", "corrects a pledge while reviewing it"),
    ("pledges.pledge", "review_pledge", "publishes, rejects or asks changes of pledges"),
    ("pledges.pledge", "import_pledge", "imports pledges collected on spreadsheets"),
    ("pledges.pledge", "export_pledge", "exports pledges to a spreadsheet"),
    ("pledges.historicalpledge", "view_historicalpledge", "reads who changed a pledge and when"),
    ("pledges.pledgestatuschange", "view_pledgestatuschange", "reads a pledge's review history"),
    ("pledges.partnership", "view_partnership",
     "follows every invitation and partnership (read only: the entities consent themselves)"),
    ("pledges.partnership", "change_partnership",
     "accepts or declines a request to join a pledge on behalf of the pledge's entity, with a "
     "message (audited; invitations stay the entities' own answer)"),
    ("pledges.partnershipchange", "view_partnershipchange", "reads a partnership's history"),
    ("pledges.partnershipamendment", "view_partnershipamendment",
     "follows partners' proposed changes to their contributions (answers them on the pledge's "
     "entity's behalf with change_partnership, audited)"),
    ("pledges.target", "view_target", "reads a pledge's targets on its desk page"),
    ("pledges.event", "view_event", "reads the roundtables pledges are announced at"),
    ("pledges.event", "add_event", "records a new roundtable"),
    ("pledges.event", "change_event", "corrects a roundtable's dates or name"),
    ("pledges.currencyrate", "view_currencyrate", "reads the rates behind USD equivalents"),
    ("pledges.currencyrate", "add_currencyrate",
     "uploads the month's UN operational rates of exchange (a wrong rate is corrected by "
     "uploading the corrected file: never by hand, so that each rate names its file)"),
    ("pledges.historicalcurrencyrate", "view_historicalcurrencyrate",
     "reads which upload changed a rate and when"),
    ("pledges.currencyrateupload", "view_currencyrateupload",
     "reads the history of the rates uploads"),
    ("pledges.currencyrateupload", "change_currencyrateupload",
     "runs a failed conversion of an upload's pledges again"),
    ("pledges.coalitionsettings", "view_coalitionsettings", "reads the coalition's USD goal"),
    ("pledges.coalitionsettings", "change_coalitionsettings", "sets the coalition's USD goal"),
    # Indicators and coalition goals (action_areas): the catalogue targets use, and what the
    # coalition aims at. No delete: targets and goals point at indicators (retire them instead).
    ("action_areas.indicator", "view_indicator", "reads the indicator catalogue"),
    ("action_areas.indicator", "add_indicator", "adds an indicator to the catalogue"),
    ("action_areas.indicator", "change_indicator", "corrects or retires an indicator"),
    ("action_areas.coalitiongoal", "view_coalitiongoal", "reads the coalition's goals"),
    ("action_areas.coalitiongoal", "add_coalitiongoal", "sets a new coalition goal"),
    ("action_areas.coalitiongoal", "change_coalitiongoal", "moves a goal's value or date"),
    ("action_areas.coalitiongoal", "delete_coalitiongoal", "removes a goal set by mistake"),
    ("pledges.target", "change_target",
     "maps existing free-text targets to catalogue indicators (the text is kept)"),
    # Campaigns (action_areas) and the pledges tagged to them (pledges): no delete, tags point
    # at campaigns (close one instead); a tag is confirmed or declined, never edited.
    ("action_areas.campaign", "view_campaign", "reads the pledging campaigns"),
    ("action_areas.campaign", "add_campaign", "starts a pledging campaign"),
    ("action_areas.campaign", "change_campaign", "changes a campaign's theme, period or scope"),
    ("pledges.campaigntag", "view_campaigntag", "reads which pledges are proposed for campaigns"),
    ("pledges.campaigntag", "review_campaigntag", "confirms or declines a pledge's campaign tag"),
    ("pledges.campaigntagchange", "view_campaigntagchange", "reads who decided a tag and when"),
    # Reporting: cycles, progress, reminders, compiled reports.
    ("reporting.reportingcycle", "view_reportingcycle", "reads the reporting cycles"),
    ("reporting.reportingcycle", "add_reportingcycle", "opens a new annual cycle"),
    ("reporting.reportingcycle", "change_reportingcycle", "moves a cycle's dates"),
    ("reporting.reportingcycle", "delete_reportingcycle", "removes a cycle opened by mistake"),
    ("reporting.progressreport", "view_progressreport", "reads progress reports"),
    ("reporting.progressreport", "hide_progressreport", "takes an inappropriate report off"),
    ("reporting.historicalprogressreport", "view_historicalprogressreport",
     "reads who changed a progress report and when"),
    ("reporting.targetprogress", "view_targetprogress", "reads per-target progress"),
    ("reporting.progressreportevent", "view_progressreportevent", "reads a report's history"),
    ("reporting.reminder", "view_reminder", "sees which reminders went out"),
    ("reporting.reminder", "change_reminder", "resends a failed reminder"),
    ("reporting.remindersettings", "view_remindersettings", "reads when reminders are sent"),
    ("reporting.remindersettings", "change_remindersettings", "sets when reminders are sent"),
    # Matchmaking: needs are reviewed like pledges (matchmaking.workflow); introductions are
    # followed on the desk and made by the secretariat through its own page, never edited.
    ("matchmaking.need", "view_need", "reads submitted and published needs"),
    ("matchmaking.need", "review_need",
     "publishes, rejects, asks changes of, closes or marks met a need; introduces members"),
    ("matchmaking.needstatuschange", "view_needstatuschange", "reads a need's review history"),
    ("matchmaking.introduction", "view_introduction",
     "follows every introduction and its outcome"),
    ("reporting.reportrun", "view_reportrun", "reads compiled reports"),
    ("reporting.reportrun", "add_reportrun", "compiles an event or cycle report"),
    ("reporting.reportrun", "publish_reportrun", "publishes a compiled report"),
    ("reporting.reportfile", "view_reportfile", "downloads a compiled report's files"),
    # Reference data: the Action Framework and countries.
    ("action_areas.actionarea", "view_actionarea", "reads the four action areas"),
    ("action_areas.actionarea", "change_actionarea", "corrects an action area's wording"),
    ("action_areas.pillar", "view_pillar", "reads the pillars"),
    ("action_areas.pillar", "add_pillar", "adds a pillar the Action Framework gains"),
    ("action_areas.pillar", "change_pillar", "corrects a pillar's wording"),
    ("action_areas.beneficiarygroup", "view_beneficiarygroup", "reads the beneficiary groups"),
    ("action_areas.sustainabledevelopmentgoal", "view_sustainabledevelopmentgoal",
     "reads the SDGs"),
    ("action_areas.region", "view_region", "reads the ITU-D regions"),
    ("action_areas.country", "view_country", "reads the countries"),
    ("action_areas.country", "change_country", "corrects a country's region or name"),
    ("action_areas.countrygroupmembership", "view_countrygroupmembership",
     "reads LDC/LLDC/SIDS lists"),
    ("action_areas.countrygroupmembership", "add_countrygroupmembership",
     "records a country joining the LDC, LLDC or SIDS list"),
    ("action_areas.countrygroupmembership", "change_countrygroupmembership",
     "records a country graduating from a list"),
    # The import desk's own records.
    ("spreadsheets.importjob", "view_importjob",
     "finds a big file's background preview or import, a colleague's or a failed one"),
    ("spreadsheets.columnmapping", "view_columnmapping", "reads the saved column mappings"),
    ("spreadsheets.columnmapping", "change_columnmapping", "renames a saved column mapping"),
    ("spreadsheets.columnmapping", "delete_columnmapping",
     "deletes a column mapping nobody should pick again"),
    # Background work: emails and the beat schedule.
    ("p2c_portal.outboundemail", "view_outboundemail", "sees whether an email went out"),
    ("p2c_portal.outboundemail", "change_outboundemail", "resends a failed or uncertain email"),
    ("django_celery_beat.periodictask", "view_periodictask", "reads the periodic tasks"),
    ("django_celery_beat.periodictask", "change_periodictask",
     "adjusts a periodic task's schedule or pauses it (README: Background work)"),
    ("django_celery_beat.crontabschedule", "view_crontabschedule", "reads the crontab schedules"),
    ("django_celery_beat.crontabschedule", "add_crontabschedule",
     "creates the schedule a periodic task is moved to"),
    ("django_celery_beat.intervalschedule", "view_intervalschedule",
     "reads the interval schedules"),
    ("django_celery_beat.intervalschedule", "add_intervalschedule",
     "creates the interval a periodic task is moved to"),
)


def secretariat_permission_names() -> set[str]:
    """The list as Django names them (`app_label.codename`), as `user.has_perm` asks them."""
    return {
        f"{model.split('.')[0]}.{codename}" for model, codename, _why in SECRETARIAT_PERMISSIONS
    }


def _wanted_permissions(*, create_missing: bool):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    wanted = []
    for model, codename, _why in SECRETARIAT_PERMISSIONS:
        app_label, model_name = model.split(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
        except ContentType.DoesNotExist:
            raise ImproperlyConfigured(
                f"Secretariat permission {app_label}.{codename}: no model {model}"
            ) from None
        if create_missing:
            # Permissions that are not in a model's Meta (django-import-export's import_/export_)
            # are created here, so that a flushed database gets them back too.
            permission, _created = Permission.objects.get_or_create(
                content_type=content_type, codename=codename,
                defaults={"name": f"Can {codename.replace('_', ' ', 1).replace('_', ' ')}"},
            )
        else:
            permission = Permission.objects.filter(
                content_type=content_type, codename=codename
            ).first()
            if permission is None:
                continue
        wanted.append(permission)
    return wanted


def secretariat_permissions_drift() -> tuple[set[str], set[str]]:
    """(missing, extra): what the group lacks from the list, what it holds beyond it."""
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=SECRETARIAT_GROUP).first()
    held = set()
    if group is not None:
        held = {
            f"{app_label}.{codename}"
            for app_label, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
    wanted = secretariat_permission_names()
    return wanted - held, held - wanted


@transaction.atomic
def apply_secretariat_permissions() -> tuple[set[str], set[str]]:
    """Make the group hold exactly the list (idempotent); returns what was (added, removed)."""
    from django.contrib.auth.models import Group

    missing, extra = secretariat_permissions_drift()
    group, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    group.permissions.set(_wanted_permissions(create_missing=True))
    return missing, extra


def apply_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    """post_migrate receiver (members.apps): permissions are created app by app after a
    migration, so every app's are made sure of first, then the group is set."""
    from django.apps import apps as global_apps

    for config in global_apps.get_app_configs():
        create_contenttypes(config, verbosity=0, using=using)
        create_permissions(config, verbosity=0, using=using)
    apply_secretariat_permissions()
