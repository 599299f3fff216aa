"""What `manage.py load_demo_data` puts in a newcomer's portal: demo entities of every stakeholder
group, their pledges and their progress reports. Plain data, read by the command.

Every organisation and person here is invented (names end in "(demo)"); the places, the Kigali
roundtable and the Action Framework are real. Pledges are found again on a second run by their
entity and title, entities by name, cycles by English name: keep those unique.

Dates: `submitted`/`published`/... are ISO days (UTC, at the hour given by the command); a number
instead of a day means "that many days ago", for the work still in progress on the demo member's
dashboard and in the secretariat's review queue.
"""

KIGALI = "wtdc-22-kigali"

# The two reporting cycles: key -> fields of reporting.ReportingCycle.
CYCLES = {
    "2022": dict(
        name_en="2022 — after the Kigali roundtable",
        name_translations={"fr": "2022 — après la table ronde de Kigali"},
        period_start="2022-06-01", period_end="2022-12-31",
        opens_on="2023-01-16", due_on="2023-03-31",
    ),
    "2023": dict(
        name_en="2023 annual report",
        name_translations={"fr": "Rapport annuel 2023"},
        period_start="2023-01-01", period_end="2023-12-31",
        opens_on="2024-01-15", due_on="2024-03-31",
    ),
}

# The entity of the demo member (devdata/management/commands/load_demo_data.py MEMBER).
# Rates for the months of the demo pledges, in units per US dollar: approximations of the market
# rate at the start of each month (rounded), NOT the UN operational rates, which the secretariat
# uploads from the UN Treasury. Loaded as test data (pledges.models.RateSource.TEST_DATA), shown as
# such in the admin and the open data. The Rwandan franc pledge, submitted days before the demo is
# loaded, has no rate on purpose: it shows a pledge whose USD equivalent is pending.
TEST_RATES = [
    ("CHF", "2022-05", "0.98"),
    ("EUR", "2022-05", "0.95"),
    ("GBP", "2023-06", "0.80"),
    ("CHF", "2025-02", "0.91"),
]

MEMBER_ENTITY = "MINICT-DEMO"

ENTITIES = [
    dict(
        acronym="MINICT-DEMO", name="Ministry of ICT and Innovation (demo)",
        group="government", sub_type="national_government", country="RWA",
        website="https://www.example.org/minict",
        description="A demonstration entity for trying the portal locally.",
        evidence="National broadband plan and community digital centres.",
        readiness="Ready to pledge to connect every school by 2026.",
        leader=("Demo Minister", "Minister of ICT and Innovation"),
        user=None,  # the demo member
        applied="2022-04-04", approved="2022-04-20",
    ),
    dict(
        acronym="HUAF-DEMO", name="Himalayan Universal Access Fund (demo)",
        group="government", sub_type="regulator", country="NPL",
        website="https://www.example.org/huaf",
        description="The universal service fund of a mountainous, landlocked country: it pays "
                    "for broadband where the market alone does not reach.",
        evidence="Has financed mobile coverage for 1,100 remote villages since 2015.",
        readiness="Ready to commit its rural broadband programme for 2022–2026.",
        leader=("Bimala Thapa", "Executive Director"),
        user=("rajan.shrestha@huaf.example.org", "Rajan Shrestha", "en"),
        applied="2022-04-11", approved="2022-04-28",
    ),
    dict(
        acronym="TLFN-DEMO", name="Trans-Lakes Fibre Networks Ltd (demo)",
        group="private_sector", sub_type="company", country="KEN",
        website="https://www.example.org/tlfn",
        description="An open-access wholesale fibre operator serving East Africa's landlocked "
                    "countries from the coast.",
        evidence="Operates 6,200 km of fibre and sells capacity to 41 operators.",
        readiness="Ready to pledge new cross-border routes and handset financing.",
        leader=("Wanjiru Kamau", "Chief Executive Officer"),
        user=("david.otieno@tlfn.example.org", "David Otieno", "en"),
        applied="2022-04-19", approved="2022-05-05",
    ),
    dict(
        acronym="OHF-DEMO", name="Open Horizons Foundation (demo)",
        group="private_sector", sub_type="philanthropy", country="CHE",
        website="https://www.example.org/ohf",
        description="A private foundation funding community-owned connectivity and digital "
                    "entrepreneurship in the least developed countries.",
        evidence="CHF 40 million granted to community networks and digital skills since 2012.",
        readiness="Ready to open a five-year grant window for community networks.",
        leader=("Claire Favre", "President of the Board"),
        user=("lukas.meier@ohf.example.org", "Lukas Meier", "en"),
        applied="2022-04-07", approved="2022-04-25",
    ),
    dict(
        acronym="CIDB-DEMO", name="Continental Infrastructure Development Bank (demo)",
        group="international", sub_type="development_bank", country="CIV",
        website="https://www.example.org/cidb",
        description="A multilateral development bank financing transport, energy and digital "
                    "infrastructure in its regional member countries.",
        evidence="USD 1.2 billion of digital infrastructure loans approved since 2016.",
        readiness="Ready to pledge concessional loans and guarantees for digital backbones.",
        leader=("Aminata Koné", "Vice-President for Infrastructure"),
        user=("koffi.yao@cidb.example.org", "Koffi Yao", "fr"),
        applied="2022-04-13", approved="2022-05-02",
    ),
    dict(
        acronym="PDRP-DEMO", name="Pacific Digital Resilience Partnership (demo)",
        group="international", sub_type="regional_organisation", country="FJI",
        website="https://www.example.org/pdrp",
        description="A regional organisation of Pacific island States working together on "
                    "resilient connectivity and cybersecurity.",
        evidence="Coordinated emergency telecommunications after three cyclone seasons.",
        readiness="Ready to pledge a regional resilience programme and a cybersecurity "
                  "framework.",
        leader=("Litia Naivalu", "Director-General"),
        user=("sione.fifita@pdrp.example.org", "Sione Fifita", "en"),
        applied="2022-04-22", approved="2022-05-10",
    ),
    dict(
        acronym="CEV-DEMO", name="Connect Every Village (demo)",
        group="civil_society", sub_type="", country="MWI",
        website="https://www.example.org/cev",
        description="A non-profit organisation that helps villages build, own and run their "
                    "own community networks.",
        evidence="Twenty community networks running in rural Malawi since 2019.",
        readiness="Ready to scale community networks to 150 villages.",
        leader=("Chikondi Banda", "Executive Director"),
        user=("grace.phiri@cev.example.org", "Grace Phiri", "en"),
        applied="2022-04-26", approved="2022-05-12",
    ),
    dict(
        acronym="ILMC-DEMO", name="Institute for Last-Mile Connectivity Research (demo)",
        group="academia", sub_type="", country="UGA",
        website="https://www.example.org/ilmc",
        description="A university research institute measuring connectivity gaps and training "
                    "network engineers in landlocked developing countries.",
        evidence="Publishes yearly broadband measurements for 14 African countries.",
        readiness="Ready to open its data and train engineers with partner universities.",
        leader=("Prof. Esther Nakato", "Director"),
        user=("samuel.okello@ilmc.example.org", "Samuel Okello", "en"),
        applied="2022-05-03", approved="2022-05-17",
    ),
    dict(
        acronym="JNH-DEMO", name="Jeunesse numérique Haïti (demo)",
        group="youth", sub_type="", country="HTI",
        website="https://www.example.org/jnh",
        description="Un réseau de jeunes qui forme aux métiers du numérique et plaide pour un "
                    "internet abordable en Haïti.",
        evidence="3 000 jeunes formés au développement web depuis 2018.",
        readiness="Prêts à former 10 000 jeunes aux métiers du numérique.",
        leader=("Mirlande Joseph", "Coordonnatrice nationale"),
        user=("jb.pierrelouis@jnh.example.org", "Jean-Baptiste Pierre-Louis", "fr"),
        applied="2022-05-06", approved="2022-05-20",
    ),
    dict(
        acronym="SCMG-DEMO", name="Sunrise Community Media Group (demo)",
        group="media", sub_type="", country="ZMB",
        website="https://www.example.org/scmg",
        description="A group of community radio and television stations broadcasting in seven "
                    "local languages.",
        evidence="Ran a national digital skills radio series in 2021.",
        readiness="Ready to give airtime and produce campaigns on digital skills and safety.",
        leader=("Mwila Mulenga", "Managing Director"),
        user=("natasha.zulu@scmg.example.org", "Natasha Zulu", "en"),
        applied="2022-05-09", approved="2022-05-24",
    ),
]

PACIFIC = ["FJI", "VUT", "TON", "KIR", "TUV", "SLB", "WSM"]

# Each pledge: entity (acronym), title, summary, type and its details, Action Framework codes,
# where, for whom, SDG numbers, period, targets (indicator, unit, baseline, target, date), and its
# history: submitted, [changes requested + resubmitted], published, reports per cycle
# (implementation status, percentage complete, the value reached on each target, narrative),
# completed or withdrawn.
PLEDGES = [
    # --- Ministry of ICT and Innovation (demo): the demo member's entity ---------------------
    dict(
        entity="MINICT-DEMO",
        title="National Broadband Policy 2022–2027: open access to the fibre backbone",
        summary="Adopt and implement a broadband policy that opens the national fibre backbone "
                "to every licensed operator on equal terms, lowers wholesale prices and brings a "
                "fibre point of presence within 10 km of every sector office by 2027.",
        description="The policy sets a regulated reference offer for backbone capacity, "
                    "dig-once rules for roads and power lines, and a yearly review of wholesale "
                    "prices by the regulator.",
        type="policy", details=dict(policy_instrument="strategy", policy_stage="adopted",
                                    jurisdiction="Rwanda"),
        areas=["access", "accelerate"],
        pillars=["infrastructure", "affordability", "policy-regulation"],
        countries=["RWA"], beneficiaries=["rural-remote"], sdgs=[9, 10, 17],
        start="2022-07-01", end="2027-06-30",
        targets=[
            ("Sector offices within 10 km of a fibre point of presence", "%", 62, 100,
             "2027-06-30"),
            ("Wholesale price of 1 Mbit/s of backbone capacity", "USD per month", 38, 12,
             "2025-12-31"),
        ],
        partners="National utilities regulator; road and energy agencies.",
        event=KIGALI, submitted="2022-05-18", published="2022-06-06",
        reports={
            "2022": ("on_track", 15, (66, 35),
                     "Cabinet adopted the policy in July 2022 and the regulator published the "
                     "reference offer for backbone access in October. Three operators signed "
                     "wholesale agreements; the wholesale price fell to USD 35."),
            "2023": ("on_track", 45, (79, 24),
                     "The dig-once rules now apply to all new national roads; 79 % of sector "
                     "offices are within 10 km of a fibre point of presence. The wholesale price "
                     "fell to USD 24 per Mbit/s per month after the first yearly review."),
        },
    ),
    dict(
        entity="MINICT-DEMO",
        title="Connect every secondary school to broadband by 2026",
        summary="Bring broadband of at least 20 Mbit/s to all 1,547 public secondary schools, "
                "with a computer lab and a trained ICT teacher in each, so that 700,000 students "
                "can learn online.",
        type="programme", details=dict(programme_kind="expansion", people_to_reach=700_000),
        areas=["access", "adoption"], pillars=["infrastructure", "skills"],
        countries=["RWA"], beneficiaries=["children", "youth", "rural-remote"], sdgs=[4, 9],
        start="2022-07-01", end="2026-12-31",
        targets=[
            ("Public secondary schools connected at 20 Mbit/s or more", "schools", 610, 1547,
             "2026-12-31"),
            ("ICT teachers trained", "teachers", 0, 3000, "2025-12-31"),
        ],
        partners="Ministry of Education; Rwanda Education Board; mobile operators.",
        event=KIGALI, submitted="2022-05-23", published="2022-06-06",
        reports={
            "2022": ("on_track", 20, (824, 450),
                     "214 more schools connected, mostly in the Northern and Western provinces; "
                     "the first 450 ICT teachers completed their training."),
        },
    ),
    dict(
        entity="MINICT-DEMO",
        title="RWF 12 billion for community digital centres in every sector",
        summary="Co-finance 416 community digital centres, one in every sector, where people can "
                "go online, get help with e-government services and learn basic digital "
                "skills.",
        type="financial", details=dict(amount="12000000000", currency="RWF", modality="grant",
                                       disbursement_start="2026-01-01",
                                       disbursement_end="2028-12-31"),
        areas=["adoption", "access"], pillars=["inclusion", "skills", "infrastructure"],
        countries=["RWA"],
        beneficiaries=["rural-remote", "older-persons", "women-girls",
                       "persons-with-disabilities"],
        sdgs=[1, 5, 10],
        start="2026-01-01", end="2028-12-31",
        targets=[
            ("Community digital centres open", "centres", 87, 416, "2028-12-31"),
            ("People assisted online each year", "people", 0, 250000, "2028-12-31"),
        ],
        partners="District councils; the national postal service.",
        created=9, submitted=4,  # awaiting the secretariat's review
    ),
    dict(
        entity="MINICT-DEMO",
        title="Digital Ambassadors for older persons",
        summary="Recruit and train young Digital Ambassadors who visit older persons at home and "
                "in community centres to help them use mobile money, e-health and e-government "
                "services.",
        type="advocacy", details=dict(advocacy_activities=["campaign", "event"],
                                      audience="Older persons and their families in rural "
                                               "districts"),
        areas=["adoption"], pillars=["inclusion", "skills"],
        countries=["RWA"], beneficiaries=["older-persons", "youth"], sdgs=[3, 10],
        start="2026-01-15", end="2027-12-31",
        targets=[("Digital Ambassadors trained", "people", 0, 500, "2026-12-31")],
        created=30, submitted=20,
        changes_requested=(12, "Thank you. Please add a target for the number of older persons "
                               "helped each year, so that progress can be tracked, and name the "
                               "organisations you will work with."),
    ),
    dict(
        entity="MINICT-DEMO",
        title="Smart village pilot in the Eastern Province",
        summary="Test a package of solar-powered Wi-Fi, a village digital kiosk and e-agriculture "
                "services in ten villages before a national roll-out.",
        type="programme", details=dict(programme_kind="new"),
        areas=["access", "value-creation"], pillars=["infrastructure", "innovation"],
        countries=["RWA"], beneficiaries=["rural-remote"], sdgs=[],
        targets=[],
        created=3,  # a draft, not finished yet
    ),
    # --- Himalayan Universal Access Fund (demo) --------------------------------------------
    dict(
        entity="HUAF-DEMO",
        title="USD 45 million for last-mile broadband in remote mountain districts",
        summary="Subsidise operators to bring 4G and fibre-fed Wi-Fi to 1,200 ward centres in the "
                "most remote mountain districts, awarding each site by reverse auction to the "
                "lowest subsidy.",
        type="financial", details=dict(amount="45000000", currency="USD", modality="grant",
                                       disbursement_start="2022-09-01",
                                       disbursement_end="2026-06-30"),
        areas=["access", "accelerate"], pillars=["infrastructure", "innovative-financing"],
        countries=["NPL"], beneficiaries=["rural-remote", "indigenous-peoples"], sdgs=[9, 10],
        start="2022-07-16", end="2026-07-15",
        targets=[
            ("Ward centres with 4G or fibre-fed Wi-Fi", "ward centres", 0, 1200, "2026-06-30"),
            ("Population covered by 4G in the target districts", "%", 41, 90, "2026-06-30"),
        ],
        event=KIGALI, submitted="2022-05-12", published="2022-06-06",
        reports={
            "2022": ("on_track", 10, (35, 43),
                     "The first reverse auction, for 180 sites in Karnali Province, was won by two "
                     "operators at 38 % below the reserve subsidy; the first 35 ward centres went "
                     "on air in December."),
            "2023": ("on_track", 35, (410, 58),
                     "Two more auction rounds awarded 260 sites; 410 ward centres are now on air "
                     "and 4G covers 58 % of the population of the target districts."),
        },
    ),
    dict(
        entity="HUAF-DEMO",
        title="Light-touch licensing for community networks",
        summary="Create a licence-exempt regime and a low-cost spectrum licence for community "
                "and non-profit networks, so that cooperatives and rural municipalities can "
                "build their own networks.",
        type="policy", details=dict(policy_instrument="regulation", policy_stage="proposed",
                                    jurisdiction="Nepal"),
        areas=["accelerate", "access"], pillars=["policy-regulation", "affordability"],
        countries=["NPL"], beneficiaries=["rural-remote"], sdgs=[9, 11, 17],
        start="2022-06-15", end="2024-06-30",
        targets=[("Community networks licensed", "networks", 0, 40, "2024-06-30")],
        event=KIGALI, submitted="2022-05-30", published="2022-06-06",
        reports={
            "2022": ("on_track", 30, (0,),
                     "The public consultation closed in November 2022 with 64 submissions, most "
                     "of them from cooperatives."),
            "2023": ("delayed", 55, (12,),
                     "The regulation was adopted in September 2023, six months late; 12 community "
                     "networks have been licensed so far."),
        },
    ),
    dict(
        entity="HUAF-DEMO",
        title="Digital literacy for 60,000 women in Karnali and Sudurpashchim",
        summary="Basic digital skills courses in the local languages, given by women trainers in "
                "ward offices and schools, with a phone lending scheme for those who have none.",
        type="programme", details=dict(programme_kind="new", people_to_reach=60_000),
        areas=["adoption"], pillars=["skills", "inclusion"],
        countries=["NPL"], beneficiaries=["women-girls", "rural-remote"], sdgs=[4, 5],
        start="2023-04-01", end="2025-12-31",
        targets=[
            ("Women completing the basic digital skills course", "women", 0, 60000,
             "2025-12-31"),
            ("Women trainers certified", "trainers", 0, 300, "2024-06-30"),
        ],
        submitted="2023-02-14", published="2023-03-08",
        reports={
            "2023": ("on_track", 25, (14200, 160),
                     "14,200 women completed the course and 160 trainers were certified; the "
                     "phone lending scheme runs in 40 wards."),
        },
    ),
    dict(
        entity="HUAF-DEMO",
        title="Spectrum for rural fixed wireless access at affordable fees",
        summary="Assign spectrum in the 3.5 GHz band for fixed wireless access in rural "
                "municipalities at fees set by cost, not by auction, in exchange for coverage "
                "obligations.",
        type="policy", details=dict(policy_instrument="regulation", policy_stage="adopted",
                                    jurisdiction="Nepal"),
        areas=["accelerate", "access"], pillars=["policy-regulation", "affordability"],
        countries=["NPL"], beneficiaries=["rural-remote"], sdgs=[9, 10],
        start="2025-07-01", end="2027-12-31",
        targets=[("Rural municipalities with fixed wireless access", "municipalities", 120, 450,
                  "2027-12-31")],
        submitted="2025-05-19", published="2025-06-12",
    ),
    # --- Trans-Lakes Fibre Networks Ltd (demo) ---------------------------------------------
    dict(
        entity="TLFN-DEMO",
        title="USD 120 million for cross-border fibre to landlocked East Africa",
        summary="Build 3,800 km of open-access fibre linking Uganda, Rwanda, Burundi and South "
                "Sudan to the submarine cables landing at Mombasa and Dar es Salaam, with "
                "capacity sold to any operator on equal terms.",
        type="financial", details=dict(amount="120000000", currency="USD", modality="other",
                                       disbursement_start="2022-07-01",
                                       disbursement_end="2025-12-31"),
        areas=["access"], pillars=["infrastructure", "affordability"],
        countries=["UGA", "RWA", "BDI", "SSD", "KEN", "TZA"],
        beneficiaries=["rural-remote"], sdgs=[9, 17],
        start="2022-07-01", end="2025-12-31",
        targets=[
            ("Fibre route built", "km", 0, 3800, "2025-12-31"),
            ("Landlocked capitals reached by two diverse routes", "capitals", 1, 4,
             "2025-12-31"),
        ],
        co_pledgers=["CIDB-DEMO"],
        partners="National power utilities (fibre on power lines).",
        event=KIGALI, submitted="2022-05-04", published="2022-06-06",
        reports={
            "2022": ("on_track", 18, (690, 1),
                     "690 km laid between Kampala and the Rwandan border; the Kigali–Bujumbura "
                     "segment is in construction."),
            "2023": ("at_risk", 44, (1650, 2),
                     "1,650 km are in service and Kigali now has two diverse routes to the coast, "
                     "but right-of-way permits delayed the northern route to Juba by nine "
                     "months."),
        },
    ),
    dict(
        entity="TLFN-DEMO",
        title="One million first-time smartphone owners through pay-as-you-go handsets",
        summary="Expand our handset financing so that one million first-time users in rural "
                "Kenya, Uganda and Tanzania can buy a 4G smartphone for under USD 1 a week, "
                "bundled with data and a digital skills app.",
        type="programme", details=dict(programme_kind="expansion", people_to_reach=1_000_000),
        areas=["access", "adoption"], pillars=["affordability", "skills"],
        countries=["KEN", "UGA", "TZA"], beneficiaries=["rural-remote", "women-girls"],
        sdgs=[1, 5, 9],
        start="2022-06-15", end="2025-06-30",
        targets=[
            ("Smartphones financed", "handsets", 0, 1000000, "2025-06-30"),
            ("Share of buyers who are women", "%", 31, 50, "2025-06-30"),
        ],
        event=KIGALI, submitted="2022-05-26", published="2022-06-06",
        reports={
            "2022": ("on_track", 22, (205000, 36),
                     "205,000 handsets financed, 36 % of them to women; repayment rate 94 %."),
            "2023": ("on_track", 58, (590000, 43),
                     "590,000 handsets financed; 43 % of buyers are women since the launch of a "
                     "network of women agents."),
        },
    ),
    dict(
        entity="TLFN-DEMO",
        title="Satellite backhaul for 300 remote base stations in northern Kenya",
        summary="Connect 300 new base stations in arid and semi-arid counties with satellite "
                "backhaul until fibre arrives.",
        type="programme", details=dict(programme_kind="new", people_to_reach=400_000),
        areas=["access"], pillars=["infrastructure"],
        countries=["KEN"], beneficiaries=["rural-remote"], sdgs=[9],
        start="2023-03-01", end="2025-02-28",
        targets=[("Base stations on satellite backhaul", "sites", 0, 300, "2025-02-28")],
        submitted="2023-01-20", published="2023-02-15",
        withdrawn=("2024-01-30", "Merged into our cross-border fibre pledge after its route "
                                 "was extended north."),
    ),
    dict(
        entity="TLFN-DEMO",
        title="Regional dialogue on infrastructure sharing for East African regulators",
        summary="Convene regulators and ministries for four working sessions on sharing ducts, "
                "towers and power, and support a regional memorandum of understanding.",
        type="advocacy", details=dict(advocacy_activities=["event", "mou"],
                                      audience="Telecommunication regulators and ministries of "
                                               "the East African Community"),
        areas=["accelerate"], pillars=["policy-regulation"],
        countries=["KEN", "UGA", "RWA", "BDI", "SSD", "TZA"], beneficiaries=["rural-remote"],
        sdgs=[9, 17],
        start="2024-05-01", end="2025-12-31",
        targets=[
            ("Regulators signing the infrastructure-sharing memorandum", "regulators", 0, 6,
             "2025-12-31"),
            ("Working sessions held", "sessions", 0, 4, "2025-06-30"),
        ],
        submitted="2024-03-25", published="2024-04-10",
    ),
    # --- Open Horizons Foundation (demo) ---------------------------------------------------
    dict(
        entity="OHF-DEMO",
        title="CHF 25 million in grants for community networks in LDCs and SIDS",
        summary="A five-year grant window for community-owned networks, local internet service "
                "providers and the training of their technicians in least developed countries "
                "and small island developing States.",
        type="financial", details=dict(amount="25000000", currency="CHF", modality="grant",
                                       disbursement_start="2022-09-01",
                                       disbursement_end="2027-06-30"),
        areas=["access", "accelerate", "value-creation"],
        pillars=["infrastructure", "innovative-financing", "innovation"],
        countries=["MWI", "MDG", "NPL", "LAO", "HTI", "VUT", "SLB", "KIR"],
        beneficiaries=["rural-remote", "indigenous-peoples", "women-girls"], sdgs=[9, 10, 17],
        start="2022-07-01", end="2027-06-30",
        targets=[
            ("Community networks funded", "networks", 0, 150, "2027-06-30"),
            ("Technicians trained, at least 40 % of them women", "technicians", 0, 1200,
             "2027-06-30"),
        ],
        co_pledgers=["CEV-DEMO"],
        event=KIGALI, submitted="2022-05-10", published="2022-06-06",
        reports={
            "2022": ("on_track", 8, (11, 60),
                     "The first call received 212 proposals; 11 networks were funded in Malawi, "
                     "Nepal and Vanuatu and their first 60 technicians are in training."),
            "2023": ("on_track", 27, (41, 380),
                     "41 networks funded so far and 380 technicians trained, 46 % of them "
                     "women."),
        },
    ),
    dict(
        entity="OHF-DEMO",
        title="Solar-powered connectivity for 500 rural health clinics",
        summary="Equip 500 rural health clinics with solar power and satellite or mobile "
                "connectivity, and help them move to electronic health records and "
                "teleconsultation.",
        type="programme", details=dict(programme_kind="new", people_to_reach=2_500_000),
        areas=["access", "adoption"], pillars=["infrastructure", "local-content"],
        countries=["MWI", "MOZ", "ZMB", "MDG"],
        beneficiaries=["rural-remote", "women-girls", "children"], sdgs=[3, 7, 9],
        start="2022-08-01", end="2025-12-31",
        targets=[
            ("Rural health clinics connected on solar power", "clinics", 0, 500, "2025-12-31"),
            ("Clinics using electronic health records", "clinics", 0, 350, "2025-12-31"),
        ],
        partners="Ministries of health of the four countries.",
        event=KIGALI, submitted="2022-06-01", published="2022-06-06",
        reports={
            "2023": ("on_track", 41, (205, 120),
                     "205 clinics connected; 120 of them now keep electronic records. "
                     "Procurement took most of 2022."),
        },
    ),
    dict(
        entity="OHF-DEMO",
        title="The cost of being offline: research on connectivity in LDCs",
        summary="Twelve country case studies on what the lack of meaningful connectivity costs "
                "households, firms and governments in least developed countries, launched in "
                "the countries studied.",
        type="advocacy", details=dict(advocacy_activities=["research", "publication", "event"],
                                      audience="Governments, development partners and "
                                               "investors"),
        areas=["accelerate", "adoption"], pillars=["innovative-financing", "inclusion"],
        is_global=True, beneficiaries=["rural-remote"], sdgs=[1, 9, 17],
        start="2022-06-06", end="2023-12-31",
        targets=[
            ("Country case studies published", "studies", 0, 12, "2023-06-30"),
            ("Launch events held in LDC capitals", "events", 0, 5, "2023-12-31"),
        ],
        event=KIGALI, submitted="2022-05-16", published="2022-06-06",
        reports={
            "2022": ("on_track", 40, (5, 1),
                     "Five case studies published; the first launch was held in Lilongwe in "
                     "November 2022."),
            "2023": ("completed", 100, (12, 5),
                     "All twelve studies are published and were launched in five capitals; the "
                     "synthesis was presented to development partners in December 2023."),
        },
        completed=True,
    ),
    dict(
        entity="OHF-DEMO",
        title="CHF 8 million for women-led digital start-ups in LDCs",
        summary="Seed grants and mentoring for start-ups founded and led by women that build "
                "digital services for their local markets.",
        type="financial", details=dict(amount="8000000", currency="CHF", modality="grant",
                                       disbursement_start="2025-04-01",
                                       disbursement_end="2028-03-31"),
        areas=["value-creation"], pillars=["innovation", "inclusion"],
        countries=["RWA", "UGA", "NPL", "BGD", "SEN", "HTI"],
        beneficiaries=["women-girls", "youth"], sdgs=[5, 8],
        start="2025-04-01", end="2028-03-31",
        targets=[
            ("Women-led start-ups funded", "start-ups", 0, 160, "2028-03-31"),
            ("Jobs created by the funded start-ups", "jobs", 0, 1200, "2028-03-31"),
        ],
        submitted="2025-02-10", published="2025-03-08",
    ),
    # --- Continental Infrastructure Development Bank (demo) --------------------------------
    dict(
        entity="CIDB-DEMO",
        title="EUR 350 million in concessional loans for digital backbones in landlocked "
              "countries",
        summary="Concessional loans to the governments of landlocked member countries for "
                "national fibre backbones, data centres and cross-border links, blended with "
                "grants for the poorest of them.",
        type="financial", details=dict(amount="350000000", currency="EUR", modality="loan",
                                       disbursement_start="2023-01-01",
                                       disbursement_end="2028-12-31"),
        areas=["access", "accelerate"], pillars=["infrastructure", "innovative-financing"],
        countries=["MWI", "ZMB", "NER", "BFA", "TCD", "CAF"],
        beneficiaries=["rural-remote"], sdgs=[9, 17],
        start="2022-07-01", end="2028-12-31",
        targets=[
            ("Loans approved by the Board", "EUR million", 0, 350, "2025-12-31"),
            ("Backbone fibre financed", "km", 0, 9000, "2028-12-31"),
            ("Landlocked countries with a second international route", "countries", 2, 6,
             "2028-12-31"),
        ],
        event=KIGALI, submitted="2022-05-09", published="2022-06-06",
        changes_requested=("2022-05-16", "Please say which share of the amount is grant and "
                                         "which is loan, and add a target for the kilometres "
                                         "of fibre financed."),
        resubmitted="2022-05-24",
        reports={
            "2022": ("on_track", 10, (62, 1100, 2),
                     "The Board approved the first two loans, for Malawi and Zambia: EUR 62 "
                     "million for 1,100 km of backbone."),
            "2023": ("on_track", 25, (180, 1900, 3),
                     "Loans for Niger and Burkina Faso approved (EUR 180 million in all); 1,900 "
                     "km of backbone under contract; Malawi's second international route is "
                     "open."),
        },
    ),
    dict(
        entity="CIDB-DEMO",
        title="USD 150 million in risk guarantees for rural tower investments",
        summary="Partial risk guarantees that let tower companies and operators borrow in local "
                "currency to build sites in rural areas of least developed countries, where "
                "revenues alone do not yet justify the investment.",
        type="financial", details=dict(amount="150000000", currency="USD", modality="guarantee",
                                       disbursement_start="2022-10-01",
                                       disbursement_end="2027-12-31"),
        areas=["accelerate", "access"], pillars=["innovative-financing", "infrastructure"],
        countries=["BEN", "TGO", "GIN", "SLE", "LBR", "SEN"],
        beneficiaries=["rural-remote"], sdgs=[8, 9],
        start="2022-10-01", end="2027-12-31",
        targets=[
            ("New rural sites built under guaranteed loans", "sites", 0, 2500, "2027-12-31"),
            ("Private finance mobilised", "USD million", 0, 600, "2027-12-31"),
        ],
        event=KIGALI, submitted="2022-06-02", published="2022-06-06",
        reports={
            "2022": ("not_started", 0, (0, 0),
                     "The guarantee facility was set up in December 2022; the first guarantee "
                     "will be signed in 2023."),
            "2023": ("on_track", 15, (240, 95),
                     "Three guarantees signed in Benin, Sierra Leone and Senegal, for 390 new "
                     "rural sites: 240 are built and USD 95 million of private finance is "
                     "mobilised."),
        },
    ),
    dict(
        entity="CIDB-DEMO",
        title="Model framework for public–private partnerships in digital infrastructure",
        summary="Publish a model legal and contractual framework for public–private "
                "partnerships in backbones, data centres and rural networks, and help member "
                "countries adapt it.",
        type="policy", details=dict(policy_instrument="strategy", policy_stage="adopted",
                                    jurisdiction="The Bank's regional member countries"),
        areas=["accelerate"], pillars=["policy-regulation", "innovative-financing"],
        regions=["africa"], beneficiaries=["rural-remote"], sdgs=[9, 17],
        start="2023-07-01", end="2025-12-31",
        targets=[("Member countries adopting the framework", "countries", 0, 10, "2025-12-31")],
        submitted="2023-05-22", published="2023-06-14",
        reports={
            "2023": ("on_track", 20, (1,),
                     "The framework was published in September 2023. Togo adopted it in "
                     "December; Malawi and Niger are adapting it."),
        },
    ),
    # --- Pacific Digital Resilience Partnership (demo) -------------------------------------
    dict(
        entity="PDRP-DEMO",
        title="Disaster-resilient connectivity for Pacific island States",
        summary="Pre-position satellite terminals and power kits, train national emergency "
                "telecommunication teams and add a second route for the most exposed islands, "
                "so that no island stays cut off for more than 72 hours after a cyclone.",
        type="programme", details=dict(programme_kind="new", people_to_reach=1_800_000),
        areas=["access"], pillars=["infrastructure"],
        countries=PACIFIC, regions=["asia-pacific"],
        beneficiaries=["rural-remote", "displaced-refugees"], sdgs=[9, 11, 13],
        start="2022-07-01", end="2026-06-30",
        targets=[
            ("Islands with pre-positioned emergency connectivity kits", "islands", 4, 60,
             "2026-06-30"),
            ("National emergency telecommunication teams trained", "teams", 0, 7,
             "2024-12-31"),
        ],
        event=KIGALI, submitted="2022-05-20", published="2022-06-06",
        reports={
            "2022": ("on_track", 12, (15, 2),
                     "Kits pre-positioned on 11 more islands in Fiji and Tonga; the first two "
                     "national teams trained."),
            "2023": ("on_track", 40, (32, 4),
                     "Kits are now on 32 islands and four national teams are trained. After the "
                     "twin cyclones in Vanuatu in March 2023, 14 kits restored connectivity "
                     "within 36 hours."),
        },
    ),
    dict(
        entity="PDRP-DEMO",
        title="Regional cybersecurity framework for Pacific island States",
        summary="Agree a regional cybersecurity framework with child online protection at its "
                "heart, and help every member State set up a computer emergency response team "
                "and adopt a national cybersecurity strategy.",
        type="policy", details=dict(policy_instrument="strategy", policy_stage="proposed",
                                    jurisdiction="Member States of the Partnership"),
        areas=["access", "accelerate"], pillars=["cybersecurity", "policy-regulation"],
        countries=PACIFIC, beneficiaries=["children"], sdgs=[16, 17],
        start="2022-06-15", end="2025-12-31",
        targets=[
            ("National computer emergency response teams operational", "teams", 2, 7,
             "2025-12-31"),
            ("Countries with a national cybersecurity strategy", "countries", 3, 7,
             "2025-06-30"),
        ],
        event=KIGALI, submitted="2022-05-27", published="2022-06-06",
        reports={
            "2022": ("on_track", 15, (2, 3),
                     "Ministers endorsed the draft framework in October 2022."),
            "2023": ("delayed", 35, (3, 4),
                     "Tonga's response team is operational and Samoa adopted its national "
                     "strategy; two other strategies are still awaiting Cabinet approval."),
        },
    ),
    dict(
        entity="PDRP-DEMO",
        title="Islands online: youth digital ambassadors for the Pacific",
        summary="Train young digital ambassadors who run sessions on digital skills and online "
                "safety in the outer islands, and publish their stories in local languages.",
        type="advocacy", details=dict(advocacy_activities=["campaign", "event"],
                                      audience="Young people and community leaders in the "
                                               "outer islands"),
        areas=["adoption"], pillars=["skills", "local-content"],
        countries=["FJI", "SLB", "TON", "VUT", "KIR"], beneficiaries=["youth", "women-girls"],
        sdgs=[4, 5],
        start="2022-07-01", end="2024-12-31",
        targets=[
            ("Youth ambassadors trained", "ambassadors", 0, 350, "2024-06-30"),
            ("Outer-island community sessions held", "sessions", 0, 1000, "2024-12-31"),
        ],
        event=KIGALI, submitted="2022-06-03", published="2022-06-06",
    ),
    dict(
        entity="PDRP-DEMO",
        title="USD 30 million Pacific Digital Resilience Fund",
        summary="A fund for member States' projects that make networks withstand cyclones, "
                "floods and sea-level rise: buried and diverse routes, backup power, emergency "
                "satellite capacity.",
        type="financial", details=dict(amount="30000000", currency="USD", modality="grant",
                                       disbursement_start="2024-07-01",
                                       disbursement_end="2028-06-30"),
        areas=["accelerate", "access"], pillars=["innovative-financing", "infrastructure"],
        countries=PACIFIC, beneficiaries=["rural-remote"], sdgs=[9, 13],
        start="2024-07-01", end="2028-06-30",
        targets=[("Resilience projects funded", "projects", 0, 25, "2028-06-30")],
        submitted="2024-05-06", published="2024-06-03",
    ),
    # --- Connect Every Village (demo) ------------------------------------------------------
    dict(
        entity="CEV-DEMO",
        title="Community networks in 150 villages of Malawi and Mozambique",
        summary="With village committees, build and run community Wi-Fi networks on solar power "
                "and shared backhaul, and train two local technicians — at least one of them a "
                "woman — in each village.",
        type="programme", details=dict(programme_kind="expansion", people_to_reach=300_000),
        areas=["access", "adoption"], pillars=["infrastructure", "affordability", "inclusion"],
        countries=["MWI", "MOZ"], beneficiaries=["rural-remote", "women-girls"],
        sdgs=[5, 9, 10],
        start="2022-07-01", end="2025-12-31",
        targets=[
            ("Villages with a community network", "villages", 20, 150, "2025-12-31"),
            ("Local technicians trained", "technicians", 40, 300, "2025-12-31"),
            ("Monthly price of 1 GB on the community networks", "USD", 4, 1, "2024-12-31"),
        ],
        co_pledgers=["OHF-DEMO"],
        event=KIGALI, submitted="2022-05-24", published="2022-06-06",
        reports={
            "2022": ("on_track", 18, (42, 78, 3),
                     "22 new villages connected, 42 in all; the price of 1 GB fell to USD 3 "
                     "thanks to a shared backhaul contract."),
            "2023": ("on_track", 46, (78, 170, 2),
                     "78 villages now run their own network; 170 technicians trained, 52 % of "
                     "them women. 1 GB costs USD 2."),
        },
    ),
    dict(
        entity="CEV-DEMO",
        title="Digital skills caravan for women farmers",
        summary="A caravan that visits market days with phones, solar chargers and trainers, to "
                "teach women farmers mobile money, weather services and online selling.",
        type="advocacy", details=dict(advocacy_activities=["campaign", "event"],
                                      audience="Women farmers and their cooperatives"),
        areas=["adoption", "value-creation"], pillars=["skills", "local-content", "innovation"],
        countries=["MWI", "ZMB", "TZA"], beneficiaries=["women-girls", "rural-remote"],
        sdgs=[2, 5, 8],
        start="2022-09-01", end="2024-08-31",
        targets=[
            ("Women farmers reached by the caravan", "women", 0, 40000, "2024-08-31"),
            ("Market days with a digital skills stand", "market days", 0, 200, "2024-08-31"),
        ],
        event=KIGALI, submitted="2022-06-09", published="2022-06-15",
        reports={
            "2022": ("on_track", 20, (7900, 38),
                     "The caravan visited 38 market days in Malawi and reached 7,900 women "
                     "farmers."),
            "2023": ("on_track", 70, (27500, 124),
                     "Zambia and Tanzania joined: 124 market days and 27,500 women reached in "
                     "total."),
        },
    ),
    dict(
        entity="CEV-DEMO",
        title="GBP 2 million in refurbished laptops for rural schools",
        summary="Collect, refurbish and deliver 20,000 laptops with offline learning content to "
                "400 rural primary and secondary schools, and recycle them at the end of their "
                "life.",
        type="financial", details=dict(amount="2000000", currency="GBP", modality="in_kind",
                                       disbursement_start="2023-09-01",
                                       disbursement_end="2025-08-31"),
        areas=["adoption"], pillars=["skills", "inclusion"],
        countries=["MWI"], beneficiaries=["children", "rural-remote"], sdgs=[4, 12],
        start="2023-09-01", end="2025-08-31",
        targets=[
            ("Refurbished laptops delivered", "laptops", 0, 20000, "2025-08-31"),
            ("Schools equipped", "schools", 0, 400, "2025-08-31"),
        ],
        submitted="2023-06-19", published="2023-07-05",
        reports={
            "2023": ("on_track", 25, (5100, 96),
                     "5,100 laptops delivered to 96 schools in the Central Region."),
        },
    ),
    # --- Institute for Last-Mile Connectivity Research (demo) ------------------------------
    dict(
        entity="ILMC-DEMO",
        title="Open dataset on connectivity gaps in landlocked developing countries",
        summary="Measure coverage, speed and price of broadband in landlocked developing "
                "countries and publish the data every quarter under an open licence.",
        type="advocacy", details=dict(advocacy_activities=["research", "publication"],
                                      audience="Regulators, operators, researchers and "
                                               "development partners"),
        areas=["accelerate", "access"], pillars=["policy-regulation", "infrastructure"],
        countries=["UGA", "RWA", "MWI", "ZMB", "ETH", "NPL", "BTN", "LAO", "BOL"],
        beneficiaries=["rural-remote"], sdgs=[9, 17],
        start="2022-06-06", end="2024-03-31",
        targets=[
            ("Landlocked developing countries covered by the dataset", "countries", 0, 32,
             "2024-03-31"),
            ("Dataset downloads", "downloads", 0, 5000, "2024-03-31"),
        ],
        event=KIGALI, submitted="2022-05-31", published="2022-06-06",
        reports={
            "2022": ("on_track", 35, (12, 1150),
                     "The first release covers 12 countries; 1,150 downloads."),
            "2023": ("completed", 100, (32, 6800),
                     "The dataset now covers all 32 landlocked developing countries and was "
                     "downloaded 6,800 times."),
        },
        completed=True,
    ),
    dict(
        entity="ILMC-DEMO",
        title="Train 5,000 network engineers in LDC universities",
        summary="A certificate in network engineering, taught with partner universities and "
                "operators in six countries, with scholarships for women.",
        type="programme", details=dict(programme_kind="new", people_to_reach=5_000),
        areas=["adoption", "value-creation"], pillars=["skills", "innovation"],
        countries=["UGA", "RWA", "MWI", "ETH", "TZA", "ZMB"],
        beneficiaries=["youth", "women-girls"], sdgs=[4, 8, 9],
        start="2023-02-01", end="2027-12-31",
        targets=[
            ("Engineers completing the certificate", "engineers", 0, 5000, "2027-12-31"),
            ("Share of women among them", "%", 18, 40, "2027-12-31"),
        ],
        submitted="2023-01-09", published="2023-01-25",
        reports={
            "2023": ("on_track", 15, (640, 29),
                     "The first cohort of 640 engineers graduated, 29 % of them women."),
        },
    ),
    # --- Jeunesse numérique Haïti (demo) ---------------------------------------------------
    dict(
        entity="JNH-DEMO",
        title="Former 10 000 jeunes aux métiers du numérique en Haïti",
        summary="Des parcours de six mois en développement web, maintenance de réseaux et "
                "design, dans dix villes du pays, avec des stages en entreprise et un "
                "accompagnement vers l'emploi ou l'auto-entrepreneuriat.",
        type="programme", details=dict(programme_kind="expansion", people_to_reach=10_000),
        areas=["adoption", "value-creation"], pillars=["skills", "innovation"],
        countries=["HTI"], beneficiaries=["youth", "women-girls"], sdgs=[4, 8],
        start="2022-09-01", end="2025-08-31",
        targets=[
            ("Jeunes formés", "jeunes", 0, 10000, "2025-08-31"),
            ("Jeunes en emploi ou auto-entrepreneurs six mois après", "%", 0, 60, "2025-08-31"),
        ],
        event=KIGALI, submitted="2022-06-08", published="2022-06-15",
        reports={
            "2022": ("delayed", 6, (180, 0),
                     "L'insécurité à Port-au-Prince a retardé l'ouverture de deux centres ; 620 "
                     "jeunes ont commencé leur parcours et 180 l'ont terminé."),
            "2023": ("at_risk", 22, (2300, 41),
                     "Les formations ont repris en ligne et dans six villes de province : 2 300 "
                     "jeunes formés, dont 41 % en emploi ou à leur compte six mois après."),
        },
    ),
    dict(
        entity="JNH-DEMO",
        title="Youth voices for affordable mobile data",
        summary="A campaign led by young people, backed by a yearly survey of data prices, asking "
                "operators and the regulator to bring the price of 1 GB below 2 % of monthly "
                "income.",
        type="advocacy", details=dict(advocacy_activities=["campaign", "research"],
                                      audience="The regulator, mobile operators and young "
                                               "people"),
        areas=["access"], pillars=["affordability"],
        countries=["HTI"], beneficiaries=["youth"], sdgs=[10],
        start="2022-07-01", end="2023-12-31",
        targets=[
            ("Price of 1 GB of mobile data", "% of monthly income", "6.50", 2, "2023-12-31"),
            ("Young people signing the campaign charter", "signatures", 0, 25000, "2023-06-30"),
        ],
        event=KIGALI, submitted="2022-06-13", published="2022-06-15",
        reports={
            "2022": ("on_track", 25, ("5.80", 9400),
                     "9,400 signatures; the price of 1 GB fell to 5.8 % of monthly income and the "
                     "regulator opened a consultation on data prices in December 2022."),
        },
    ),
    dict(
        entity="JNH-DEMO",
        title="Hackathons « Connecter les communes » dans les pays francophones les moins "
              "avancés",
        summary="Huit hackathons où de jeunes développeurs créent, avec les collectivités "
                "locales, des services numériques utiles aux communes rurales.",
        type="advocacy", details=dict(advocacy_activities=["event", "campaign"],
                                      audience="Jeunes développeurs, collectivités locales et "
                                               "opérateurs"),
        areas=["value-creation", "adoption"], pillars=["innovation", "local-content"],
        countries=["HTI", "SEN", "BEN", "TGO", "MDG"], beneficiaries=["youth"],
        sdgs=[9, 11, 17],
        start="2024-03-01", end="2025-12-31",
        targets=[
            ("Hackathons organisés", "hackathons", 0, 8, "2025-12-31"),
            ("Services numériques mis en service par des communes", "services", 0, 20,
             "2025-12-31"),
        ],
        submitted="2024-01-22", published="2024-02-12",
    ),
    # --- Sunrise Community Media Group (demo) ----------------------------------------------
    dict(
        entity="SCMG-DEMO",
        title="Radio and TV campaign on online safety reaching 8 million people",
        summary="Drama series, call-in shows and spots in seven local languages on scams, "
                "privacy and online abuse, produced with child protection and women's "
                "organisations.",
        type="advocacy", details=dict(advocacy_activities=["campaign"],
                                      audience="Listeners and viewers of community radio and "
                                               "television in Zambia and Malawi"),
        areas=["access", "adoption"], pillars=["cybersecurity", "inclusion"],
        countries=["ZMB", "MWI"], beneficiaries=["children", "women-girls", "older-persons"],
        sdgs=[5, 16],
        start="2022-07-01", end="2024-06-30",
        targets=[
            ("People reached by the campaign", "people", 0, 8000000, "2024-06-30"),
            ("Programmes broadcast in local languages", "programmes", 0, 900, "2024-06-30"),
        ],
        event=KIGALI, submitted="2022-05-25", published="2022-06-06",
        reports={
            "2022": ("on_track", 30, (2600000, 220),
                     "220 programmes broadcast; audience surveys estimate 2.6 million people "
                     "reached."),
            "2023": ("on_track", 80, (6500000, 610),
                     "The drama series was picked up by 14 more stations: 610 programmes "
                     "broadcast and 6.5 million people reached."),
        },
    ),
    dict(
        entity="SCMG-DEMO",
        title="USD 3 million of free airtime for digital skills content",
        summary="Airtime on our stations, free of charge, for digital skills programmes made by "
                "coalition members and local producers.",
        type="financial", details=dict(amount="3000000", currency="USD", modality="in_kind",
                                       disbursement_start="2022-07-01",
                                       disbursement_end="2025-06-30"),
        areas=["adoption"], pillars=["skills", "local-content"],
        countries=["ZMB", "MWI", "MOZ"], beneficiaries=["rural-remote", "youth"], sdgs=[4, 9],
        start="2022-07-01", end="2025-06-30",
        targets=[("Hours of airtime given to digital skills programmes", "hours", 0, 6000,
                  "2025-06-30")],
        event=KIGALI, submitted="2022-06-10", published="2022-06-15",
        reports={
            "2022": ("on_track", 15, (900,),
                     "900 hours of airtime given to eleven producers."),
            "2023": ("on_track", 48, (2880,),
                     "2,880 hours given in total; a weekly programme on mobile money runs on all "
                     "stations."),
        },
    ),
    dict(
        entity="SCMG-DEMO",
        title="Local-language digital content studio for creators",
        summary="A studio and online academy where young creators learn to produce podcasts, "
                "videos and apps in local languages, with equipment on loan and a revenue-share "
                "platform.",
        type="programme", details=dict(programme_kind="new", people_to_reach=1_500_000),
        areas=["value-creation", "adoption"], pillars=["innovation", "local-content"],
        countries=["ZMB", "MWI"], beneficiaries=["youth", "women-girls"], sdgs=[8, 9],
        start="2023-10-01", end="2026-09-30",
        targets=[
            ("Creators trained and equipped", "creators", 0, 2000, "2026-09-30"),
            ("Hours of local-language content published online", "hours", 0, 5000,
             "2026-09-30"),
        ],
        submitted="2023-08-28", published="2023-09-18",
        reports={
            "2023": ("on_track", 5, (110, 40),
                     "The Lusaka studio opened in November 2023 with a first cohort of 110 "
                     "creators; 40 hours of their content are online."),
        },
    ),
]


# The demo targets that fit an indicator of the catalogue (action_areas 0006): they count toward
# the coalition's goals; the others stay free text, as "other (describe)".
CATALOGUE_INDICATORS = {
    "Public secondary schools connected at 20 Mbit/s or more": "schools-connected",
    "Schools equipped": "schools-connected",
    "ICT teachers trained": "people-trained-digital-skills",
    "Digital Ambassadors trained": "people-trained-digital-skills",
    "Women completing the basic digital skills course": "people-trained-digital-skills",
    "Jeunes formés": "people-trained-digital-skills",
    "Population covered by 4G in the target districts": "mobile-broadband-coverage",
    "Fibre route built": "fibre-deployed-km",
    "Backbone fibre financed": "fibre-deployed-km",
    "Base stations on satellite backhaul": "sites-towers-built",
    "New rural sites built under guaranteed loans": "sites-towers-built",
    "Rural health clinics connected on solar power": "health-facilities-connected",
    "Women-led start-ups funded": "digital-entrepreneurs-supported",
    "Countries with a national cybersecurity strategy": "policies-regulations-adopted",
}



# Needs (matchmaking): what members ask for, published through the secretariat's review.
# entity acronym, title, description, kind of support, areas, pillars, countries, amount.
NEEDS = [
    dict(entity="MINICT-DEMO", title="Rural backhaul for district health centres",
         description="Fibre or microwave backhaul to connect 40 rural health centres in the "
                     "Northern and Western provinces, with power for the sites.",
         support="finance", areas=["access"], pillars=["infrastructure"], countries=["RWA"],
         amount="12000000", currency="USD"),
    dict(entity="HUAF-DEMO", title="Reform of the universal service fund",
         description="Advice on reforming the universal service fund so that it finances "
                     "last-mile networks in mountain districts.",
         support="policy_advice", areas=["access"], pillars=["affordability"],
         countries=["NPL"], amount=None, currency=""),
    dict(entity="CEV-DEMO", title="Digital skills trainers for village centres",
         description="Training for 200 trainers who will run digital skills courses in "
                     "village centres.",
         support="capacity_building", areas=["adoption"], pillars=["skills"],
         countries=["MWI"], amount=None, currency=""),
]
