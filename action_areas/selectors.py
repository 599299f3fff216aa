import unicodedata

from .models import ActionArea


def action_area_list():
    return ActionArea.objects.order_by("position", "code")


def name_sort_key(name: str) -> str:
    """Sorts names ignoring accents and case ("Côte d'Ivoire" beside "Costa Rica"): names are
    translated in Python, so the database cannot order them in the reader's language."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
