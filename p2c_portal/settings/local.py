"""`make run`: SQLite under var/, eager tasks, emails printed to the console, debug on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The public-list covering index (pledges.Pledge.Meta) has INCLUDE columns, a PostgreSQL feature;
# SQLite builds it as a plain index and Django warns (models.W040) on every command. Harmless here.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# `make run` only: the two-factor prompt (required of staff before the admin opens) also takes
# this code, so that the demo secretariat needs no authenticator app on a developer's machine.
# allauth refuses it unless DEBUG is on; production.py and test.py never set it.
if DEBUG:
    MFA_TOTP_INSECURE_BYPASS_CODE = "000000"
