"""`make run`: SQLite under var/, eager tasks, emails printed to the console, debug on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The public-list covering index (pledges.Pledge.Meta) has INCLUDE columns, a PostgreSQL feature;
# SQLite builds it as a plain index and Django warns (models.W040) on every command. Harmless here.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
