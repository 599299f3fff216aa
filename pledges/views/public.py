from django.shortcuts import render

from action_areas.selectors import action_area_list


def home(request):
    return render(request, "pledges/home.html", {"action_areas": action_area_list()})
