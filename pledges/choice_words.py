"""Words people write in a spreadsheet for a pledge's choices (type, modality, policy instrument
and stage, programme kind, advocacy activities), beyond the codes and the labels of every
catalogue, which the import reads anyway (spreadsheets.import_engine.ChoiceWidget).

EN and FR first (the roundtables' working languages), then the other UN languages where the
word is the usual one. Compared without case or accents. A word that could mean two choices is
left out: the row is then refused with the list of choices, never guessed.
"""

from .models import (
    AdvocacyActivity,
    FinancialModality,
    PledgeType,
    PolicyInstrument,
    PolicyStage,
    ProgrammeKind,
)

PLEDGE_TYPE_WORDS = {
    PledgeType.FINANCIAL: (
        "finance", "financing", "funding", "financial pledge", "financial commitment",
        "financier", "financière", "financement", "engagement financier", "financiero",
        "financiera", "financiación", "financiamiento", "финансовое", "финансовый", "مالي",
        "مالية", "资金", "财务", "金融",
    ),
    PledgeType.POLICY: (
        "policy pledge", "policies", "regulatory", "politique", "politiques",
        "engagement politique", "réglementaire", "política", "políticas", "политика",
        "политическое", "سياسة", "سياسات", "政策",
    ),
    PledgeType.ADVOCACY: (
        "advocacy pledge", "awareness", "awareness raising", "plaidoyer", "sensibilisation",
        "promoción", "sensibilización", "abogacía", "информационно-разъяснительная работа",
        "пропаганда", "الدعوة", "مناصرة", "倡导", "宣传",
    ),
    PledgeType.PROGRAMME: (
        "program", "programs", "programmes", "programme d'action", "programme d’action",
        "project", "projects", "projet", "projets", "programa", "programas", "proyecto",
        "программа", "проект", "برنامج", "مشروع", "方案", "项目", "计划",
    ),
}

MODALITY_WORDS = {
    FinancialModality.GRANT: (
        "grants", "donation", "subvention", "subventions", "don", "dons", "subvención",
        "donación", "donativo", "грант", "безвозмездная помощь", "منحة", "منح", "赠款", "捐款",
    ),
    FinancialModality.LOAN: (
        "loans", "concessional loan", "credit", "prêt", "prêts", "prêt concessionnel",
        "préstamo", "préstamos", "crédito", "кредит", "заем", "заём", "قرض", "قروض", "贷款",
    ),
    FinancialModality.EQUITY: (
        "equity investment", "fonds propres", "prise de participation", "participation",
        "capital", "participación de capital", "акционерный капитал", "أسهم", "股权",
    ),
    FinancialModality.GUARANTEE: (
        "guarantees", "garantie", "garanties", "garantía", "гарантия", "ضمان", "ضمانات", "担保",
    ),
    FinancialModality.IN_KIND: (
        "in kind", "in-kind contribution", "in kind contribution", "en nature",
        "contribution en nature", "apport en nature", "en especie", "contribución en especie",
        "в натуральной форме", "натурой", "عيني", "عينية", "مساهمة عينية", "实物", "实物捐助",
    ),
}

POLICY_INSTRUMENT_WORDS = {
    PolicyInstrument.LAW: ("act", "bill", "loi", "ley", "закон", "قانون", "法律"),
    PolicyInstrument.REGULATION: (
        "regulations", "règlement", "réglementation", "reglamento", "regulación", "norma",
        "регулирование", "постановление", "لائحة", "تنظيم", "法规", "条例",
    ),
    PolicyInstrument.STRATEGY: (
        "strategy", "plan", "action plan", "roadmap", "stratégie", "plan d'action",
        "feuille de route", "estrategia", "plan de acción", "стратегия", "план",
        "استراتيجية", "خطة", "战略", "规划",
    ),
}

POLICY_STAGE_WORDS = {
    PolicyStage.PROPOSED: ("draft", "planned", "proposé", "proposée", "propuesto", "propuesta",
                           "предложено", "مقترح", "拟议"),
    PolicyStage.ADOPTED: ("approved", "adopté", "adoptée", "adoptado", "adoptada", "принято",
                          "اعتمد", "已通过"),
    PolicyStage.IN_FORCE: ("in force", "enacted", "en vigueur", "en vigor", "действует",
                           "ساري المفعول", "已生效"),
}

PROGRAMME_KIND_WORDS = {
    ProgrammeKind.NEW: ("nouveau", "nouveau programme", "nouvelle", "nuevo",
                        "nuevo programa", "новая", "новая программа", "جديد", "新"),
    ProgrammeKind.EXPANSION: ("extension", "scale-up", "scaling up",
                              "élargissement", "extension d'un programme existant",
                              "ampliación", "расширение", "توسيع", "扩展"),
}

ADVOCACY_ACTIVITY_WORDS = {
    AdvocacyActivity.RESEARCH: ("study", "studies", "recherche", "étude", "investigación",
                                "estudio", "исследование", "بحث", "研究"),
    AdvocacyActivity.MOU: ("MoU", "MOU", "memorandum", "protocole d'accord",
                           "mémorandum d'accord", "memorando de entendimiento",
                           "меморандум о взаимопонимании", "مذكرة تفاهم", "谅解备忘录"),
    AdvocacyActivity.EVENT: ("events", "événement", "événements", "evento", "eventos",
                             "мероприятие", "فعالية", "活动"),
    AdvocacyActivity.CAMPAIGN: ("campaigns", "campagne", "campaña", "кампания", "حملة", "运动"),
    AdvocacyActivity.PUBLICATION: ("publications", "report", "rapport", "publicación",
                                   "публикация", "منشور", "出版物"),
}
