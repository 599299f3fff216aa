"""Labels of other packages' admin pages that the secretariat sees, in this project's catalogues.

django-celery-beat (the periodic tasks the README's operations section describes) ships no Arabic
catalogue and a French one with mistakes ("Tâches Périodique"): its app and model names would be
the only English words of the Arabic admin's sidebar. Django reads the project's catalogues
(LOCALE_PATHS) before any app's, so these messages, listed here for `make messages` to collect,
are translated in every language the site offers. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

CELERY_BEAT_LABELS = [
    gettext_noop("Periodic Tasks"),
    gettext_noop("periodic task"),
    gettext_noop("periodic tasks"),
    gettext_noop("interval"),
    gettext_noop("intervals"),
    gettext_noop("crontab"),
    gettext_noop("crontabs"),
    gettext_noop("clocked"),
    gettext_noop("solar event"),
    gettext_noop("solar events"),
]

# allauth's own pages name signing in and up in Title Case and, in French and Russian, in other
# words than the site's header ("Connexion", "Création de compte"): one wording everywhere.
ALLAUTH_LABELS = [
    gettext_noop("Sign In"),
    gettext_noop("Sign Up"),
    gettext_noop("Sign Out"),
]
