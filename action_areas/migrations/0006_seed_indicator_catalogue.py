"""The starting catalogue of indicators (name, unit, definition in the six UN languages) and the
coalition's first goal, USD 100 billion in pledges by the end of 2026. After this the database is
the source of truth: the secretariat edits both in the admin. A value already there is kept."""

import datetime
from decimal import Decimal

from django.db import migrations

# code, aggregation, disaggregations, action areas, pillars,
# {language: (name, unit, definition)}
CATALOGUE = [
    ("people-connected", "sum", ["women_girls", "youth", "rural"], ["access"],
     ["infrastructure", "affordability"], {
         "en": ("People newly connected", "people",
                "People who start using the Internet thanks to the pledge. Count each person "
                "once, not each connection, subscription or device."),
         "fr": ("Personnes nouvellement connectées", "personnes",
                "Personnes qui commencent à utiliser l'Internet grâce à l'engagement. Compter "
                "chaque personne une fois, et non chaque connexion, abonnement ou appareil."),
         "ar": ("الأشخاص الموصولون حديثاً", "أشخاص",
                "الأشخاص الذين يبدؤون استعمال الإنترنت بفضل التعهد. يُحسب كل شخص مرة واحدة، "
                "لا كل توصيلة أو اشتراك أو جهاز."),
         "es": ("Personas conectadas por primera vez", "personas",
                "Personas que empiezan a utilizar Internet gracias a la promesa. Cuente cada "
                "persona una vez, no cada conexión, suscripción o dispositivo."),
         "ru": ("Впервые подключенные люди", "человек",
                "Люди, начавшие пользоваться интернетом благодаря обязательству. Каждый человек "
                "учитывается один раз, а не каждое подключение, абонемент или устройство."),
         "zh-hans": ("新连通人数", "人",
                     "因承诺而开始使用互联网的人。每人只计一次，而非按每个连接、订购或设备计算。"),
     }),
    ("people-trained-digital-skills", "sum", ["women_girls", "youth", "rural"], ["adoption"],
     ["skills"], {
         "en": ("People trained in digital skills", "people",
                "People who complete a digital skills training delivered or funded by the "
                "pledge. Count each person once, even if they follow several courses."),
         "fr": ("Personnes formées aux compétences numériques", "personnes",
                "Personnes qui achèvent une formation aux compétences numériques dispensée ou "
                "financée par l'engagement. Compter chaque personne une fois, même si elle "
                "suit plusieurs cours."),
         "ar": ("الأشخاص المدرَّبون على المهارات الرقمية", "أشخاص",
                "الأشخاص الذين يُتمّون تدريباً على المهارات الرقمية يقدّمه التعهد أو يموّله. "
                "يُحسب كل شخص مرة واحدة ولو تابع عدة دورات."),
         "es": ("Personas capacitadas en competencias digitales", "personas",
                "Personas que completan una capacitación en competencias digitales impartida o "
                "financiada por la promesa. Cuente cada persona una vez, aunque siga varios "
                "cursos."),
         "ru": ("Люди, обученные цифровым навыкам", "человек",
                "Люди, завершившие обучение цифровым навыкам, проводимое или финансируемое в "
                "рамках обязательства. Каждый человек учитывается один раз, даже если он прошел "
                "несколько курсов."),
         "zh-hans": ("接受数字技能培训人数", "人",
                     "完成由承诺提供或资助的数字技能培训的人。即使参加多门课程，每人也只计一次。"),
     }),
    ("schools-connected", "sum", ["rural"], ["access"], ["infrastructure"], {
        "en": ("Schools connected", "schools",
               "Schools that gain an Internet connection usable for teaching and learning "
               "through the pledge."),
        "fr": ("Écoles connectées", "écoles",
               "Écoles qui obtiennent, grâce à l'engagement, une connexion Internet utilisable "
               "pour l'enseignement et l'apprentissage."),
        "ar": ("المدارس الموصولة", "مدارس",
               "المدارس التي تحصل بفضل التعهد على توصيلة إنترنت صالحة للتعليم والتعلّم."),
        "es": ("Escuelas conectadas", "escuelas",
               "Escuelas que obtienen, gracias a la promesa, una conexión a Internet utilizable "
               "para la enseñanza y el aprendizaje."),
        "ru": ("Подключенные школы", "школ",
               "Школы, получившие благодаря обязательству подключение к интернету, пригодное "
               "для преподавания и обучения."),
        "zh-hans": ("连通学校数", "所学校", "通过承诺获得可用于教学的互联网连接的学校。"),
    }),
    ("health-facilities-connected", "sum", ["rural"], ["access"], ["infrastructure"], {
        "en": ("Health facilities connected", "health facilities",
               "Hospitals, clinics and health posts that gain an Internet connection through "
               "the pledge."),
        "fr": ("Établissements de santé connectés", "établissements de santé",
               "Hôpitaux, cliniques et postes de santé qui obtiennent une connexion Internet "
               "grâce à l'engagement."),
        "ar": ("المرافق الصحية الموصولة", "مرافق صحية",
               "المستشفيات والعيادات والمراكز الصحية التي تحصل على توصيلة إنترنت بفضل التعهد."),
        "es": ("Establecimientos de salud conectados", "establecimientos de salud",
               "Hospitales, clínicas y puestos de salud que obtienen una conexión a Internet "
               "gracias a la promesa."),
        "ru": ("Подключенные медицинские учреждения", "медицинских учреждений",
               "Больницы, клиники и медицинские пункты, получившие подключение к интернету "
               "благодаря обязательству."),
        "zh-hans": ("连通医疗卫生机构数", "个医疗卫生机构",
                    "通过承诺获得互联网连接的医院、诊所和卫生站。"),
    }),
    ("fibre-deployed-km", "sum", [], ["access"], ["infrastructure"], {
        "en": ("Fibre-optic cable deployed", "km",
               "Kilometres of fibre-optic cable (backbone, backhaul or access) laid or lit "
               "through the pledge, measured along the route."),
        "fr": ("Câble à fibre optique déployé", "km",
               "Kilomètres de câble à fibre optique (dorsale, liaison de raccordement ou accès) "
               "posés ou activés grâce à l'engagement, mesurés le long du tracé."),
        "ar": ("كابلات الألياف البصرية المنشورة", "كم",
               "كيلومترات كابلات الألياف البصرية (الشبكة الأساسية أو شبكة التوصيل أو النفاذ) "
               "التي مُدّت أو شُغّلت بفضل التعهد، مقيسةً على طول المسار."),
        "es": ("Cable de fibra óptica desplegado", "km",
               "Kilómetros de cable de fibra óptica (red troncal, de retorno o de acceso) "
               "tendidos o activados gracias a la promesa, medidos a lo largo del trazado."),
        "ru": ("Проложенный волоконно-оптический кабель", "км",
               "Километры волоконно-оптического кабеля (магистральной, транзитной сети или "
               "сети доступа), проложенного или введенного в эксплуатацию благодаря "
               "обязательству, измеренные по трассе."),
        "zh-hans": ("部署的光纤光缆", "公里",
                    "通过承诺铺设或启用的光纤光缆（骨干、回程或接入）公里数，沿线路测量。"),
    }),
    ("sites-towers-built", "sum", ["rural"], ["access"], ["infrastructure"], {
        "en": ("Mobile sites and towers built", "sites",
               "New mobile network sites or towers brought into service through the pledge; "
               "upgrades of existing sites are not counted."),
        "fr": ("Sites et pylônes mobiles construits", "sites",
               "Nouveaux sites ou pylônes de réseau mobile mis en service grâce à l'engagement ; "
               "la modernisation de sites existants n'est pas comptée."),
        "ar": ("المواقع والأبراج المتنقلة المشيَّدة", "مواقع",
               "مواقع أو أبراج جديدة للشبكات المتنقلة تدخل الخدمة بفضل التعهد؛ ولا يُحسب "
               "تحديث المواقع القائمة."),
        "es": ("Emplazamientos y torres móviles construidos", "emplazamientos",
               "Nuevos emplazamientos o torres de red móvil puestos en servicio gracias a la "
               "promesa; no se cuenta la modernización de emplazamientos existentes."),
        "ru": ("Построенные объекты и вышки подвижной связи", "объектов",
               "Новые объекты или вышки сети подвижной связи, введенные в эксплуатацию "
               "благодаря обязательству; модернизация существующих объектов не учитывается."),
        "zh-hans": ("新建移动基站和铁塔数", "个站点",
                    "通过承诺投入使用的新移动网络基站或铁塔；现有站点的升级不计入。"),
    }),
    ("public-wifi-hotspots", "sum", ["rural"], ["access"],
     ["infrastructure", "affordability"], {
         "en": ("Public Wi-Fi hotspots", "hotspots",
                "Wi-Fi access points open to the public free of charge or at low cost, "
                "installed through the pledge."),
         "fr": ("Points d'accès Wi-Fi publics", "points d'accès",
                "Points d'accès Wi-Fi ouverts au public gratuitement ou à faible coût, "
                "installés grâce à l'engagement."),
         "ar": ("نقاط الاتصال العمومية بشبكة Wi-Fi", "نقاط اتصال",
                "نقاط النفاذ إلى شبكة Wi-Fi المتاحة للجمهور مجاناً أو بتكلفة منخفضة، "
                "المركَّبة بفضل التعهد."),
         "es": ("Puntos de acceso Wi-Fi públicos", "puntos de acceso",
                "Puntos de acceso Wi-Fi abiertos al público de forma gratuita o a bajo costo, "
                "instalados gracias a la promesa."),
         "ru": ("Общественные точки доступа Wi-Fi", "точек доступа",
                "Точки доступа Wi-Fi, открытые для населения бесплатно или по низкой цене и "
                "установленные благодаря обязательству."),
         "zh-hans": ("公共Wi-Fi热点数", "个热点",
                     "通过承诺安装、免费或低价向公众开放的Wi-Fi接入点。"),
     }),
    ("policies-regulations-adopted", "sum", [], ["accelerate"], ["policy-regulation"], {
        "en": ("Policies or regulations adopted", "policies",
               "Digital policies, strategies, laws or regulations formally adopted by the "
               "competent authority with the pledge's support."),
        "fr": ("Politiques ou réglementations adoptées", "politiques",
               "Politiques, stratégies, lois ou réglementations numériques officiellement "
               "adoptées par l'autorité compétente avec l'appui de l'engagement."),
        "ar": ("السياسات أو اللوائح المعتمَدة", "سياسات",
               "السياسات أو الاستراتيجيات أو القوانين أو اللوائح الرقمية التي تعتمدها رسمياً "
               "السلطة المختصة بدعم من التعهد."),
        "es": ("Políticas o reglamentos adoptados", "políticas",
               "Políticas, estrategias, leyes o reglamentos digitales adoptados oficialmente por "
               "la autoridad competente con el apoyo de la promesa."),
        "ru": ("Принятые политики или нормативные акты", "документов",
               "Цифровые политики, стратегии, законы или нормативные акты, официально принятые "
               "компетентным органом при поддержке в рамках обязательства."),
        "zh-hans": ("通过的政策或法规数", "项政策",
                    "主管当局在承诺支持下正式通过的数字政策、战略、法律或法规。"),
    }),
    ("funds-disbursed-usd", "sum", [], ["accelerate"], ["innovative-financing"], {
        "en": ("Funds disbursed", "USD",
               "Amount in United States dollars actually paid out for the pledge's activities "
               "(not only committed), at the UN operational rate of exchange of the month of "
               "payment."),
        "fr": ("Fonds décaissés", "USD",
               "Montant en dollars des États-Unis effectivement versé pour les activités de "
               "l'engagement (et non seulement engagé), au taux de change opérationnel de "
               "l'ONU du mois du paiement."),
        "ar": ("الأموال المصروفة", "دولار أمريكي",
               "المبلغ بدولارات الولايات المتحدة المدفوع فعلاً لأنشطة التعهد (لا المرصود فقط)، "
               "بسعر الصرف المعمول به في الأمم المتحدة في شهر الدفع."),
        "es": ("Fondos desembolsados", "USD",
               "Importe en dólares de los Estados Unidos efectivamente pagado para las "
               "actividades de la promesa (no solo comprometido), al tipo de cambio operacional "
               "de las Naciones Unidas del mes del pago."),
        "ru": ("Выплаченные средства", "долл. США",
               "Сумма в долларах США, фактически выплаченная на деятельность по обязательству "
               "(а не только обещанная), по операционному обменному курсу ООН месяца выплаты."),
        "zh-hans": ("已支付资金", "美元",
                    "为承诺活动实际支付（而非仅承诺）的美元金额，按付款当月联合国业务汇率计算。"),
    }),
    ("mobile-broadband-coverage", "max", ["rural"], ["access"], ["infrastructure"], {
        "en": ("Population covered by mobile broadband", "%",
               "Share of the population of the area the pledge serves that lives within range "
               "of a mobile broadband signal (3G or above). Pledges' values are not added: "
               "the highest counts."),
        "fr": ("Population couverte par le haut débit mobile", "%",
               "Part de la population de la zone desservie par l'engagement qui vit à portée "
               "d'un signal haut débit mobile (3G ou plus). Les valeurs des engagements ne "
               "s'additionnent pas : la plus élevée compte."),
        "ar": ("السكان المشمولون بالنطاق العريض المتنقل", "%",
               "نسبة سكان المنطقة التي يخدمها التعهد الذين يعيشون في نطاق إشارة النطاق العريض "
               "المتنقل (الجيل الثالث أو أعلى). لا تُجمع قيم التعهدات: تُعتمد أعلاها."),
        "es": ("Población cubierta por banda ancha móvil", "%",
               "Proporción de la población de la zona a la que sirve la promesa que vive al "
               "alcance de una señal de banda ancha móvil (3G o superior). Los valores de las "
               "promesas no se suman: cuenta el más alto."),
        "ru": ("Население, охваченное подвижной широкополосной связью", "%",
               "Доля населения обслуживаемой по обязательству территории, проживающего в зоне "
               "действия сигнала подвижной широкополосной связи (3G или выше). Значения "
               "обязательств не суммируются: учитывается наибольшее."),
        "zh-hans": ("移动宽带覆盖人口比例", "%",
                    "承诺所服务地区内处于移动宽带信号（3G或以上）覆盖范围的人口比例。"
                    "各承诺的数值不相加：取最高值。"),
    }),
    ("digital-entrepreneurs-supported", "sum", ["women_girls", "youth"], ["value-creation"],
     ["innovation"], {
         "en": ("Digital start-ups and entrepreneurs supported", "enterprises",
                "Start-ups, small and medium-sized enterprises and entrepreneurs in the digital "
                "sector that receive funding, mentoring or incubation from the pledge."),
         "fr": ("Jeunes pousses et entrepreneurs du numérique soutenus", "entreprises",
                "Jeunes pousses, petites et moyennes entreprises et entrepreneurs du secteur "
                "numérique qui reçoivent un financement, un accompagnement ou une incubation "
                "au titre de l'engagement."),
         "ar": ("الشركات الناشئة ورواد الأعمال الرقميون المدعومون", "مؤسسات",
                "الشركات الناشئة والمؤسسات الصغيرة والمتوسطة ورواد الأعمال في القطاع الرقمي "
                "الذين يتلقون تمويلاً أو توجيهاً أو احتضاناً من التعهد."),
         "es": ("Empresas emergentes y emprendedores digitales apoyados", "empresas",
                "Empresas emergentes, pequeñas y medianas empresas y emprendedores del sector "
                "digital que reciben financiación, mentoría o incubación de la promesa."),
         "ru": ("Поддержанные цифровые стартапы и предприниматели", "предприятий",
                "Стартапы, малые и средние предприятия и предприниматели в цифровом секторе, "
                "получающие финансирование, наставничество или поддержку инкубатора в рамках "
                "обязательства."),
         "zh-hans": ("获得支持的数字初创企业和创业者数", "家企业",
                     "从承诺获得资金、辅导或孵化的数字领域初创企业、中小企业和创业者。"),
     }),
]

GOAL_NAMES = {
    "en": "USD 100 billion in pledges",
    "fr": "100 milliards d'USD d'engagements",
    "ar": "100 مليار دولار أمريكي من التعهدات",
    "es": "100.000 millones de USD en promesas",
    "ru": "100 млрд долл. США в обязательствах",
    "zh-hans": "1000亿美元承诺",
}


def seed(apps, schema_editor):
    Indicator = apps.get_model("action_areas", "Indicator")
    ActionArea = apps.get_model("action_areas", "ActionArea")
    Pillar = apps.get_model("action_areas", "Pillar")
    CoalitionGoal = apps.get_model("action_areas", "CoalitionGoal")
    for position, (code, aggregation, disaggregations, areas, pillars, texts) in enumerate(
            CATALOGUE, start=1):
        name, unit, definition = texts["en"]
        others = {language: text for language, text in texts.items() if language != "en"}
        indicator, created = Indicator.objects.get_or_create(code=code, defaults={
            "name_en": name, "unit_en": unit, "definition_en": definition,
            "name_translations": {lang: text[0] for lang, text in others.items()},
            "unit_translations": {lang: text[1] for lang, text in others.items()},
            "definition_translations": {lang: text[2] for lang, text in others.items()},
            "aggregation": aggregation, "disaggregations": disaggregations,
            "position": position * 10,
        })
        if created:
            indicator.action_areas.set(ActionArea.objects.filter(code__in=areas))
            indicator.pillars.set(Pillar.objects.filter(code__in=pillars))
    CoalitionGoal.objects.get_or_create(code="usd-100-billion", defaults={
        "name_en": GOAL_NAMES["en"],
        "name_translations": {lang: text for lang, text in GOAL_NAMES.items() if lang != "en"},
        "measure": "usd", "target_value": Decimal("100000000000"),
        "target_date": datetime.date(2026, 12, 31), "scope": "all", "position": 0,
    })


class Migration(migrations.Migration):

    dependencies = [
        ("action_areas", "0005_indicators_goals"),
    ]

    # Unapplied, the rows stay (0005's reverse drops the tables).
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
