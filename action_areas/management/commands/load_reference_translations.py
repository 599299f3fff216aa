"""Loads the reference data's names in one language: the step that gives a newly offered
language (settings.LANGUAGES) its action areas, pillars, SDGs… and country names, without a
migration. Values the secretariat entered in the admin are kept."""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from action_areas import reference_translations


class Command(BaseCommand):
    help = ("Load reference data names in a language: countries from CLDR (Babel), the rest from "
            "action_areas/data/reference_translations/<language>.json when it exists.")

    def add_arguments(self, parser):
        parser.add_argument("language", help="a language code of settings.LANGUAGES, e.g. pt")

    def handle(self, *args, language: str, **options):
        offered = [code for code, _name in settings.LANGUAGES]
        if language not in offered or language == "en":
            raise CommandError(f"{language!r} is not one of the other offered languages "
                               f"({', '.join(c for c in offered if c != 'en')}): add it to "
                               "settings.LANGUAGES first.")
        changed = reference_translations.load(apps, language)
        self.stdout.write(f"{changed} reference records given names in {language}.")
