"""`make run`: SQLite under var/, eager tasks, emails printed to the console, debug on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
