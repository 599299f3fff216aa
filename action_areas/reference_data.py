"""The Action Framework as published, in English and French. Seeded by a data migration;
after that the database is the source of truth and the secretariat edits it in the admin."""

ACTION_AREAS = [
    # code, name_en, name_fr, description_en, description_fr
    (
        "access",
        "Access",
        "Accès",
        "Connecting people everywhere: connectivity and digital infrastructure, affordability "
        "and cybersecurity.",
        "Connecter les gens partout : connectivité et infrastructures numériques, accessibilité "
        "financière et cybersécurité.",
    ),
    (
        "adoption",
        "Adoption",
        "Adoption",
        "Empowering communities: digital skills, digital inclusion and relevant local content "
        "and services.",
        "Autonomiser les communautés : compétences numériques, inclusion numérique et contenus "
        "et services locaux pertinents.",
    ),
    (
        "value-creation",
        "Value Creation",
        "Création de valeur",
        "Building digital ecosystems: digital innovation and entrepreneurship.",
        "Construire des écosystèmes numériques : innovation numérique et entrepreneuriat.",
    ),
    (
        "accelerate",
        "Accelerate",
        "Accélérer",
        "Incentivizing investments: innovative financing models and policy and regulatory "
        "adaptation.",
        "Encourager les investissements : modèles de financement innovants et adaptation des "
        "politiques et de la réglementation.",
    ),
]

PILLARS = [
    # action area code, pillar code, name_en, name_fr
    (
        "access",
        "infrastructure",
        "Connectivity and digital infrastructure",
        "Connectivité et infrastructures numériques",
    ),
    ("access", "affordability", "Affordability", "Accessibilité financière"),
    ("access", "cybersecurity", "Cybersecurity", "Cybersécurité"),
    ("adoption", "skills", "Digital skills", "Compétences numériques"),
    ("adoption", "inclusion", "Digital inclusion", "Inclusion numérique"),
    (
        "adoption",
        "local-content",
        "Relevant and local content and services",
        "Contenus et services locaux pertinents",
    ),
    (
        "value-creation",
        "innovation",
        "Digital innovation and entrepreneurship",
        "Innovation numérique et entrepreneuriat",
    ),
    (
        "accelerate",
        "innovative-financing",
        "Innovative financing models",
        "Modèles de financement innovants",
    ),
    (
        "accelerate",
        "policy-regulation",
        "Policy and regulatory adaptation",
        "Adaptation des politiques et de la réglementation",
    ),
]

BENEFICIARY_GROUPS = [
    ("women-girls", "Women and girls", "Femmes et filles"),
    ("youth", "Youth", "Jeunes"),
    ("children", "Children", "Enfants"),
    ("older-persons", "Older persons", "Personnes âgées"),
    ("persons-with-disabilities", "Persons with disabilities", "Personnes handicapées"),
    ("indigenous-peoples", "Indigenous peoples", "Peuples autochtones"),
    ("rural-remote", "Rural and remote communities", "Communautés rurales et isolées"),
    ("displaced-refugees", "Displaced people and refugees", "Personnes déplacées et réfugiés"),
    ("lgbtqi", "LGBTQI+ people", "Personnes LGBTQI+"),
]

SDGS = [
    (1, "No poverty", "Pas de pauvreté"),
    (2, "Zero hunger", "Faim « zéro »"),
    (3, "Good health and well-being", "Bonne santé et bien-être"),
    (4, "Quality education", "Éducation de qualité"),
    (5, "Gender equality", "Égalité entre les sexes"),
    (6, "Clean water and sanitation", "Eau propre et assainissement"),
    (7, "Affordable and clean energy", "Énergie propre et d'un coût abordable"),
    (8, "Decent work and economic growth", "Travail décent et croissance économique"),
    (9, "Industry, innovation and infrastructure", "Industrie, innovation et infrastructure"),
    (10, "Reduced inequalities", "Inégalités réduites"),
    (11, "Sustainable cities and communities", "Villes et communautés durables"),
    (12, "Responsible consumption and production", "Consommation et production responsables"),
    (13, "Climate action", "Mesures relatives à la lutte contre les changements climatiques"),
    (14, "Life below water", "Vie aquatique"),
    (15, "Life on land", "Vie terrestre"),
    (16, "Peace, justice and strong institutions", "Paix, justice et institutions efficaces"),
    (17, "Partnerships for the goals", "Partenariats pour la réalisation des objectifs"),
]

ITU_REGIONS = [
    # code, name as in countries.csv, name_fr
    ("africa", "Africa", "Afrique"),
    ("americas", "Americas", "Amériques"),
    ("arab-states", "Arab States", "États arabes"),
    ("asia-pacific", "Asia-Pacific", "Asie-Pacifique"),
    ("cis", "CIS", "CEI"),
    ("europe", "Europe", "Europe"),
]
