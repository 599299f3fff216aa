from django.contrib import admin

from .models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    CountryGroupMembership,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0
    fields = ("code", "name_en", "name_fr", "position", "is_active")


@admin.register(ActionArea)
class ActionAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_fr", "position")
    inlines = [PillarInline]


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_fr", "action_area", "position", "is_active")
    list_filter = ("action_area", "is_active")
    list_select_related = ("action_area",)
    search_fields = ("code", "name_en", "name_fr")


@admin.register(BeneficiaryGroup)
class BeneficiaryGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_fr", "position")


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(admin.ModelAdmin):
    list_display = ("number", "name_en", "name_fr")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_fr", "position")


class CountryGroupMembershipInline(admin.TabularInline):
    model = CountryGroupMembership
    extra = 0
    fields = ("group", "valid_from", "valid_to", "note", "source")


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("iso3", "iso2", "name_en", "name_fr", "region")
    list_filter = ("region", "group_memberships__group")
    list_select_related = ("region",)
    search_fields = ("iso3", "iso2", "name_en", "name_fr")
    inlines = [CountryGroupMembershipInline]


@admin.register(CountryGroupMembership)
class CountryGroupMembershipAdmin(admin.ModelAdmin):
    list_display = ("country", "group", "valid_from", "valid_to", "note")
    list_filter = ("group", "valid_to")
    list_select_related = ("country",)
    search_fields = ("country__name_en", "country__iso3", "note")
    autocomplete_fields = ("country",)
