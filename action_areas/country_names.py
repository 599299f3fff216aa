"""Countries, country groups and "global" as people write them in a spreadsheet.

Every name a country is known by (`names_of`): its ISO 3166-1 codes, its English (UN M49) name and
its names in the portal's other languages (reference data), CLDR's everyday names in the six UN
languages (through Babel, already used for those translations: "Tanzania", "Laos", "Congo -
Kinshasa", "Türkiye", "Corée du Sud", "坦桑尼亚"), the ISO French form the portal used before
("Corée, République de"), and COUNTRY_ALIASES: short forms, former names and the World Bank's forms
that neither has ("Lao PDR", "DRC", "East Timor", "Ivory Coast", "Turkey"), kept small.

Groups (`group_named`): "LDCs", "All LDCs", "Tous les PMA", "SIDS", "PEID", "LLDCs"... name the
countries of a UN grouping (LDC, LLDC, SIDS), in the six UN languages (GROUP_NAMES and the
groups' labels in every catalogue). Global (`is_global_name`): "Global", "Worldwide", "Monde",
"Mundial", CLDR's name of the world in each language.

Matching ignores case, accents and punctuation (spreadsheets.files.name_key).
"""

import functools
import re

from babel import Locale
from django.conf import settings
from django.utils import translation

from spreadsheets.files import fold, name_key

from .models import CountryGroup
from .reference_translations import country_aliases

CLDR_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh_Hans")

COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "AE": ("UAE", "EAU", "Emirates"),
    "BA": ("Bosnia",),
    "BN": ("Brunei",),
    "BO": ("Bolivia", "Bolivie"),
    "BS": ("The Bahamas", "Bahamas, The"),
    "CD": ("DRC", "DR Congo", "D.R. Congo", "Congo DR", "Congo, Dem. Rep.", "Congo-Kinshasa",
           "Congo (Kinshasa)", "Democratic Republic of Congo", "RDC", "RD Congo",
           "Congo, The Democratic Republic of the"),
    "CG": ("Congo-Brazzaville", "Congo (Brazzaville)", "Congo, Rep.", "Republic of the Congo",
           "Republic of Congo", "République du Congo"),
    "CI": ("Ivory Coast", "Côte d’Ivoire", "Cote dIvoire"),
    "CV": ("Cape Verde", "Cap Vert"),
    "CZ": ("Czech Republic", "République tchèque"),
    "EG": ("Egypt, Arab Rep.",),
    "FM": ("Micronesia", "Micronesia, Fed. Sts."),
    "GB": ("UK", "U.K.", "Great Britain", "Britain"),
    "GM": ("The Gambia", "Gambia, The"),
    "IR": ("Iran", "Iran, Islamic Rep."),
    "KG": ("Kyrgyz Republic",),
    "KN": ("St Kitts and Nevis", "St. Kitts and Nevis"),
    "KP": ("North Korea", "DPRK", "Korea, Dem. People's Rep.", "Korea, DPR"),
    "KR": ("South Korea", "Korea, Rep.", "Korea (Republic of)"),
    "LA": ("Lao PDR", "Laos", "Lao", "Lao P.D.R."),
    "LC": ("St Lucia",),
    "MD": ("Moldova", "Moldavie"),
    "MK": ("Macedonia", "FYROM", "Macédoine"),
    "MM": ("Burma", "Birmanie"),
    "PS": ("Palestine", "West Bank and Gaza"),
    "RU": ("Russia", "Russie"),
    "SK": ("Slovak Republic",),
    "ST": ("Sao Tome", "São Tomé and Príncipe"),
    "SY": ("Syria", "Syrie"),
    "SZ": ("Swaziland",),
    "TL": ("East Timor", "Timor Leste"),
    "TR": ("Turkey", "Turkiye"),
    "TZ": ("Tanzania", "Tanzanie"),
    "US": ("USA", "U.S.A.", "U.S.", "United States"),
    "VA": ("Vatican", "Vatican City"),
    "VC": ("St Vincent and the Grenadines", "St. Vincent and the Grenadines"),
    "VE": ("Venezuela", "Venezuela, RB"),
    "VN": ("Vietnam",),
    "YE": ("Yemen, Rep.",),
}

# The UN groupings by their names and acronyms in the six UN languages (the UN's own terms);
# "All …", "Tous les …" in front is read as the group too.
GROUP_NAMES: dict[str, tuple[str, ...]] = {
    CountryGroup.LDC: (
        "LDC", "LDCs", "least developed countries", "least developed country", "PMA",
        "pays les moins avancés", "pays moins avancés", "países menos adelantados", "НРС",
        "наименее развитые страны", "أقل البلدان نموا", "最不发达国家",
    ),
    CountryGroup.LLDC: (
        "LLDC", "LLDCs", "landlocked developing countries", "landlocked developing country",
        "PDSL", "pays en développement sans littoral", "países en desarrollo sin litoral",
        "развивающиеся страны, не имеющие выхода к морю", "РСНВМ",
        "البلدان النامية غير الساحلية", "内陆发展中国家",
    ),
    CountryGroup.SIDS: (
        "SIDS", "small island developing states", "small island developing state",
        "PEID", "petits États insulaires en développement", "pequeños Estados insulares en "
        "desarrollo", "малые островные развивающиеся государства", "МОСРГ",
        "الدول الجزرية الصغيرة النامية", "小岛屿发展中国家",
    ),
}
_ALL = re.compile(
    r"^(?:all(?: the)?|tous les|toutes les|l ensemble des|les|todos los|todas las|los|las|"
    r"все|جميع|كل|所有)\s+"
)
# "LDCs and SIDS", "PMA et PEID", "LDC/SIDS": several groups in one item.
_AND = re.compile(r"\s+(?:and|et|y|и|و)\s+|\s*[&/+]\s*|\s*、\s*|和")

GLOBAL_NAMES = (
    "global", "globally", "worldwide", "world", "world wide", "all countries", "international",
    "monde", "mondial", "le monde", "monde entier", "tous les pays", "niveau mondial",
    "mundial", "mundo", "todo el mundo", "todos los países", "глобальный", "глобально",
    "весь мир", "все страны", "عالمي", "جميع البلدان", "全球", "世界", "全世界",
)


def names_of(iso2: str, iso3: str, name_en: str, translations: dict) -> tuple[str, ...]:
    """Every name a spreadsheet may give a country."""
    names = [iso2, iso3, name_en, *translations.values(), *country_aliases(iso2),
             *COUNTRY_ALIASES.get(iso2, ())]
    for language in CLDR_LANGUAGES:
        names.append(_territories(language).get(iso2, ""))
    return tuple(dict.fromkeys(name for name in names if name))


@functools.cache
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


@functools.cache
def _group_keys() -> dict[str, str]:
    keys = {}
    for group, names in GROUP_NAMES.items():
        labels = []
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                labels.append(str(CountryGroup(group).label))
        for name in (*names, *labels):
            keys[name_key(name)] = group
    return keys


def group_named(text: str) -> list[str]:
    """The groups ("LDC", "SIDS") a text names ("All LDCs", "PMA et PEID"), or [] when it
    names none."""
    keys = _group_keys()
    key = _ALL.sub("", name_key(text))
    if key in keys:
        return [keys[key]]
    parts = [_ALL.sub("", name_key(part)) for part in _AND.split(fold(text)) if part.strip()]
    if len(parts) > 1 and all(part in keys for part in parts):
        return list(dict.fromkeys(keys[part] for part in parts))
    return []


@functools.cache
def _global_keys() -> frozenset[str]:
    names = [*GLOBAL_NAMES]
    for language in CLDR_LANGUAGES:
        names.append(_territories(language).get("001", ""))
    return frozenset(name_key(name) for name in names if name)


def is_global_name(text: str) -> bool:
    """ "Global", "Worldwide", "Monde", "全球": the pledge acts globally."""
    return name_key(text) in _global_keys()
