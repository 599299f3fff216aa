from .models import ActionArea


def action_area_list():
    return ActionArea.objects.order_by("position", "code")
