"""Reference data's names in the languages other than English, loaded into the `*_translations`
fields by data migration 0004 and by `manage.py load_reference_translations` (a new language).

- Action areas, pillars, beneficiary groups, SDGs and ITU-D regions: data/reference_translations/
  <language>.json, in the UN's own terms (the SDG titles as the UN publishes them in each language).
- Countries: CLDR's names through Babel (a well-kept library, pinned), except where CLDR's short
  form is not the one the UN uses (UN M49 / UNTERM): COUNTRY_NAME_OVERRIDES, kept small. English
  names stay those of the UN M49 list (data/countries.csv).

A value the secretariat has already entered is never overwritten.
"""

import csv
import functools
import json
from pathlib import Path

from babel import Locale, UnknownLocaleError

DATA_DIR = Path(__file__).resolve().parent / "data" / "reference_translations"

# Where CLDR's everyday short name differs from the name the UN uses for a Member State or
# observer (UN M49 and UNTERM, in each language): the UN keeps the formal element ("Plurinational
# State of", "Republic of Korea") where CLDR writes "Bolivia", "South Korea", "Vatican City";
# CLDR's French also writes "Congo-Brazzaville" and "Myanmar (Birmanie)" where the UN writes
# "Congo" and "Myanmar", and CLDR's Arabic "ساحل العاج" where the UN writes "كوت ديفوار".
COUNTRY_NAME_OVERRIDES = {
    "fr": {
        "BO": "Bolivie (État plurinational de)",
        "VE": "Venezuela (République bolivarienne du)",
        "IR": "Iran (République islamique d')",
        "FM": "Micronésie (États fédérés de)",
        "KP": "République populaire démocratique de Corée",
        "KR": "République de Corée",
        "LA": "République démocratique populaire lao",
        "MD": "République de Moldova",
        "RU": "Fédération de Russie",
        "SY": "République arabe syrienne",
        "TZ": "République-Unie de Tanzanie",
        "PS": "État de Palestine",
        "CG": "Congo",
        "CD": "République démocratique du Congo",
        "MM": "Myanmar",
        "VA": "Saint-Siège",
    },
    "es": {
        "BO": "Bolivia (Estado Plurinacional de)",
        "VE": "Venezuela (República Bolivariana de)",
        "IR": "Irán (República Islámica del)",
        "FM": "Micronesia (Estados Federados de)",
        "KP": "República Popular Democrática de Corea",
        "KR": "República de Corea",
        "LA": "República Democrática Popular Lao",
        "MD": "República de Moldova",
        "RU": "Federación de Rusia",
        "SY": "República Árabe Siria",
        "TZ": "República Unida de Tanzanía",
        "PS": "Estado de Palestina",
        "CG": "Congo",
        "CD": "República Democrática del Congo",
        "MM": "Myanmar",
        "VA": "Santa Sede",
    },
    "ru": {
        "BO": "Боливия (Многонациональное Государство)",
        "VE": "Венесуэла (Боливарианская Республика)",
        "IR": "Иран (Исламская Республика)",
        "FM": "Микронезия (Федеративные Штаты)",
        "KP": "Корейская Народно-Демократическая Республика",
        "KR": "Республика Корея",
        "LA": "Лаосская Народно-Демократическая Республика",
        "MD": "Республика Молдова",
        "RU": "Российская Федерация",
        "SY": "Сирийская Арабская Республика",
        "TZ": "Объединенная Республика Танзания",
        "PS": "Государство Палестина",
        "CG": "Конго",
        "CD": "Демократическая Республика Конго",
        "MM": "Мьянма",
        "VA": "Святой Престол",
    },
    "ar": {
        "BO": "بوليفيا (دولة - المتعددة القوميات)",
        "VE": "فنزويلا (جمهورية - البوليفارية)",
        "IR": "إيران (جمهورية - الإسلامية)",
        "FM": "ميكرونيزيا (ولايات - الموحدة)",
        "KP": "جمهورية كوريا الشعبية الديمقراطية",
        "KR": "جمهورية كوريا",
        "LA": "جمهورية لاو الديمقراطية الشعبية",
        "MD": "جمهورية مولدوفا",
        "RU": "الاتحاد الروسي",
        "SY": "الجمهورية العربية السورية",
        "TZ": "جمهورية تنزانيا المتحدة",
        "PS": "دولة فلسطين",
        "CG": "الكونغو",
        "CD": "جمهورية الكونغو الديمقراطية",
        "MM": "ميانمار",
        "VA": "الكرسي الرسولي",
        "CI": "كوت ديفوار",
    },
    "zh-hans": {
        "BO": "多民族玻利维亚国",
        "VE": "委内瑞拉玻利瓦尔共和国",
        "IR": "伊朗伊斯兰共和国",
        "FM": "密克罗尼西亚联邦",
        "KP": "朝鲜民主主义人民共和国",
        "KR": "大韩民国",
        "LA": "老挝人民民主共和国",
        "MD": "摩尔多瓦共和国",
        "RU": "俄罗斯联邦",
        "SY": "阿拉伯叙利亚共和国",
        "TZ": "坦桑尼亚联合共和国",
        "PS": "巴勒斯坦国",
        "CG": "刚果",
        "CD": "刚果民主共和国",
        "MM": "缅甸",
        "VA": "教廷",
    },
}


def _babel_locale(language: str) -> Locale | None:
    try:
        # Django's "zh-hans" is CLDR's "zh_Hans".
        return Locale.parse(language.replace("-", "_"), sep="_")
    except (UnknownLocaleError, ValueError):
        return None


def country_name(iso2: str, language: str) -> str:
    """The UN's short name of a country in `language` ("" where neither table knows it)."""
    override = COUNTRY_NAME_OVERRIDES.get(language, {}).get(iso2)
    if override:
        return override
    locale = _babel_locale(language)
    return locale.territories.get(iso2, "") if locale else ""


def reference_file(language: str) -> dict:
    """data/reference_translations/<language>.json, or {} where there is none."""
    path = DATA_DIR / f"{language}.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _fill(obj, field: str, language: str, text: str, *, replace: tuple[str, ...] = ()) -> bool:
    """Sets obj.<field>_translations[language] = text unless the secretariat already entered a
    value (one of `replace`, values known to be seeded, may be replaced)."""
    translations = getattr(obj, f"{field}_translations")
    current = translations.get(language, "")
    if not text or current == text or (current and current not in replace):
        return False
    translations[language] = text
    return True


def load(apps_or_models, language: str, *, replaceable_country_names: dict | None = None) -> int:
    """Loads `language`'s names of every kind of reference data; returns how many objects
    changed. `apps_or_models` is a migration's `apps` (or django.apps.apps)."""
    get = apps_or_models.get_model
    data = reference_file(language)
    changed = 0
    kinds = [
        ("action_areas", get("action_areas", "ActionArea"), "code", ("name", "description")),
        ("pillars", get("action_areas", "Pillar"), "code", ("name",)),
        ("beneficiary_groups", get("action_areas", "BeneficiaryGroup"), "code", ("name",)),
        ("sdgs", get("action_areas", "SustainableDevelopmentGoal"), "number", ("name",)),
        ("regions", get("action_areas", "Region"), "code", ("name",)),
    ]
    for key, model, lookup, fields in kinds:
        texts = data.get(key, {})
        for obj in model.objects.all():
            entry = texts.get(str(getattr(obj, lookup)), {})
            # Every field filled (a list, not any()'s short circuit), then saved once.
            filled = [_fill(obj, field, language, entry.get(field, "")) for field in fields]
            if any(filled):
                obj.save(update_fields=[f"{field}_translations" for field in fields])
                changed += 1
    seeded = replaceable_country_names or {}
    for country in get("action_areas", "Country").objects.all():
        replace = (seeded[country.iso2],) if country.iso2 in seeded else ()
        if _fill(country, "name", language, country_name(country.iso2, language),
                 replace=replace):
            country.save(update_fields=["name_translations"])
            changed += 1
    return changed


@functools.cache
def _seeded_french_names() -> dict[str, str]:
    with open(DATA_DIR.parent / "countries.csv", newline="", encoding="utf-8") as handle:
        return {row["iso2"]: row["name_fr"] for row in csv.DictReader(handle)}


def country_aliases(iso2: str) -> tuple[str, ...]:
    """Other names a spreadsheet may give a country: the ISO French form the portal used before
    ("Corée, République de") and CLDR's everyday English and French ones ("South Korea")."""
    aliases = [_seeded_french_names().get(iso2, "")]
    for language in ("en", "fr"):
        locale = _babel_locale(language)
        aliases.append(locale.territories.get(iso2, "") if locale else "")
    return tuple(alias for alias in aliases if alias)
