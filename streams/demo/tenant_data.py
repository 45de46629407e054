"""The data a sample tenant draws from: job titles, countries, activity kinds, industries, words.

Each table is written as compact text (one entry a line, its items separated by `;` and most of
them with a relative weight) and parsed once, at import, into frozen records or tuples:
`JOB_TITLES`, `COUNTRIES`, `ACTIVITY_KINDS`, `INDUSTRIES` and the word lists of synthetic names,
with the weights of the hours and weekdays that activities fall on. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# Job titles by seniority and department, each with its relative frequency.
_TITLE_TABLE = """
C-level/Executive: 5 Chief Executive Officer; 2 CEO; 2 Founder & CEO; 3 Chief Operating Officer
C-level/Finance: 3 Chief Financial Officer; 1 CFO
C-level/IT: 3 Chief Information Officer; 1 CIO
C-level/Engineering: 3 Chief Technology Officer; 1 CTO
C-level/Security: 2 Chief Information Security Officer; 1 CISO; 1 Chief Security Officer
C-level/Marketing: 2 Chief Marketing Officer; 1 Chief Revenue Officer; 1 Chief Data Officer
VP/Engineering: 5 VP Engineering; 4 VP of Engineering; 2 Vice President of Engineering
VP/Engineering: 2 SVP Technology; 1 VP, Engineering
VP/Security: 2 VP Information Security; 1 VP Security
VP/IT: 3 VP IT; 2 VP Infrastructure
VP/Sales: 5 VP Sales; 3 Regional VP Sales
VP/Marketing: 5 VP Marketing; 2 VP Demand Generation
VP/Operations: 3 VP Finance; 3 VP Operations; 3 Vice President of Product
Director/Engineering: 8 Director of Engineering; 4 Sr Director Engineering; 2 Director of DevOps
Director/Engineering: 3 Director, Platform Engineering
Director/Security: 4 Director of Information Security; 3 Director, IT Security
Director/Security: 2 Director of Risk Management
Director/IT: 6 IT Director; 4 Director of IT; 2 Director of Infrastructure
Director/Marketing: 6 Director of Marketing; 3 Sr Director, Demand Generation
Director/Sales: 6 Director of Sales; 3 Sales Director
Director/Finance: 4 Director of Finance; 2 Finance Director; 2 Director of Procurement
Director/Product: 3 Director of Product Management; 2 Director of Data Science
Head/Engineering: 3 Head of Engineering; 2 Head of Security; 2 Head of IT
Head/Marketing: 2 Head of Marketing; 1 Head of Procurement
Manager/Engineering: 14 Engineering Manager; 5 Software Development Manager; 3 DevOps Manager
Manager/IT: 12 IT Manager; 4 Infrastructure Manager
Manager/Security: 5 Security Manager; 3 SOC Manager; 3 Information Security Manager
Manager/Marketing: 14 Marketing Manager; 6 Demand Generation Manager
Manager/Marketing: 5 Product Marketing Manager
Manager/Sales: 10 Sales Manager; 12 Account Manager; 6 Customer Success Manager
Manager/Product: 10 Product Manager; 8 Project Manager; 4 Program Manager
Manager/Procurement: 3 Procurement Manager; 2 Purchasing Manager; 1 Sourcing Manager
Manager/Procurement: 1 Vendor Manager
Manager/Operations: 5 Operations Manager; 4 Office Manager; 5 HR Manager
Manager/Legal: 2 Compliance Manager
Engineer/Engineering: 30 Software Engineer; 22 Senior Software Engineer; 6 Staff Engineer
Engineer/Engineering: 3 Principal Engineer; 8 DevOps Engineer; 5 Site Reliability Engineer
Engineer/Engineering: 3 SRE; 8 QA Engineer; 7 Data Engineer; 6 Frontend Developer
Engineer/Engineering: 6 Backend Developer; 6 Full Stack Developer; 3 Sr. Software Engineer
Engineer/Engineering: 2 software engineer; 4 Solutions Architect; 4 Cloud Architect
Engineer/Engineering: 3 Software Architect
Engineer/Security: 6 Security Engineer; 2 Security Architect; 2 Application Security Engineer
Engineer/IT: 6 Network Engineer; 4 Cloud Engineer
Analyst/Security: 5 Security Analyst; 4 SOC Analyst; 2 Risk Analyst
Analyst/Data: 10 Data Analyst; 3 Data Scientist
Analyst/Business: 10 Business Analyst; 6 Financial Analyst; 5 Marketing Analyst; 3 IT Analyst
Legal/Legal: 2 General Counsel; 2 Corporate Counsel; 2 Legal Counsel; 1 Privacy Officer
Legal/Legal: 1 Paralegal
Staff/Procurement: 3 Procurement Specialist; 3 Buyer; 1 Category Manager
Staff/IT: 10 System Administrator; 8 IT Support Specialist; 6 Help Desk Technician
Staff/IT: 4 Database Administrator; 5 IT Specialist
Staff/Sales: 18 Account Executive; 12 Sales Representative; 8 Sales Development Representative
Staff/Marketing: 10 Marketing Specialist; 5 Marketing Coordinator; 4 Content Strategist
Staff/Operations: 4 Recruiter; 3 HR Business Partner; 6 Executive Assistant; 5 Consultant
Staff/Operations: 3 Intern; 4 Customer Support Specialist
"""
# Countries, one a line: code, region and weight, then the cities (a state after a slash).
_COUNTRY_TABLE = """
US NA 50: New York/NY; San Francisco/CA; Austin/TX; Chicago/IL; Seattle/WA; Boston/MA; Denver/CO
CA NA 6: Toronto/ON; Vancouver/BC; Montreal/QC
GB EMEA 8: London; Manchester; Edinburgh
DE EMEA 6: Berlin; Munich; Hamburg; Frankfurt
FR EMEA 4: Paris; Lyon
NL EMEA 2: Amsterdam; Rotterdam
ES EMEA 2: Madrid; Barcelona
IE EMEA 1: Dublin
SE EMEA 1: Stockholm
IN APAC 4: Bangalore; Pune; Hyderabad
JP APAC 3: Tokyo; Osaka
AU APAC 3: Sydney/NSW; Melbourne/VIC
SG APAC 2: Singapore
BR LATAM 3: Sao Paulo; Rio de Janeiro
MX LATAM 2: Mexico City; Monterrey
"""
# Activity types with their relative frequency and one attribute with its values;
# webinar_watched is a custom type (not in the default weighting model).
_ACTIVITY_TABLE = """
page_viewed 34 url: /pricing; /docs/getting-started; /blog/zero-trust-101; /customers; /product
email_opened 20 campaign: Monthly newsletter; Product launch; Webinar invite; Renewal reminder
email_clicked 9 campaign: Monthly newsletter; Product launch; Webinar invite
link_clicked 8 url: /pricing; /docs/integrations; /security/compliance; /trial
form_filled 4 form: Contact sales; Whitepaper download; Free trial; Demo request
event_registered 3 event: Cloud Security Summit; DevOps Days; Quarterly roadmap webinar
event_attended 2 event: Cloud Security Summit; DevOps Days; Quarterly roadmap webinar
interesting_moment 5 moment: Visited pricing three times; Opened the trial setup guide
webinar_watched 5 webinar: Zero trust in practice; Shipping faster with DevFlow
"""
_INDUSTRIES = (
    "Software 18; Technology 12; Financial Services 12; Healthcare 9; Manufacturing 10; Retail 7;"
    " Education 5; Government 4; Telecommunications 4; Energy 3; Media 4; Logistics 4;"
    " Professional Services 8"
)
# Word lists for synthetic names, one list name a line then its words.
_WORD_TABLE = """
first: Ada Alex Amara Ben Carla Chen Dana Diego Elena Emeka Fatima Femi Grace Hana Ivan Jonas Julia
first: Kai Kenji Lars Leila Lucas Maria Mei Nadia Noah Olga Omar Priya Rafael Sara Sofia Tariq
first: Theo Uma Victor Wei Yara Yusuf Zoe
last: Adams Baker Becker Chen Costa Dubois Evans Fischer Garcia Gupta Hansen Ito Jensen Kim Kowalski
last: Larsen Lopez Martin Meyer Moreau Nakamura Nguyen Novak Okafor Olsen Patel Rossi Santos
last: Schmidt Silva Singh Smith Suzuki Tanaka Torres Walker Weber Wilson Yamamoto Zhang
brand: Blue North Bright Iron Silver Cedar Summit Harbor Quantum Vertex Apex Pioneer Atlas Nimbus
brand: Granite Redwood Falcon Orbit Lumen Beacon
trade: Systems Analytics Labs Networks Holdings Group Technologies Capital Health Logistics Media
trade: Energy Solutions Dynamics Software Partners Bank Retail
"""
# Relative activity by UTC hour (0..23) and weekday (Monday first).
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 7, 8, 10, 10, 9, 7, 5, 4, 3, 2, 2, 1)
WEEKDAY_WEIGHTS = (10, 10, 10, 9, 7, 2, 2)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobTitle:
    title: str
    department: str
    seniority: str
    weight: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Country:
    code: str
    region: str
    weight: float
    cities: tuple[str, ...]  # "City" or "City/State"


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityKind:
    name: str
    weight: float
    attribute: str
    values: tuple[str, ...]


def _entries(text: str) -> Iterator[tuple[str, list[str]]]:
    for line in text.strip().splitlines():
        head, _, tail = line.partition(":")
        yield head.strip(), [item.strip() for item in tail.split(";")]


def _titles() -> tuple[JobTitle, ...]:
    found: list[JobTitle] = []
    for head, items in _entries(_TITLE_TABLE):
        seniority, _, department = head.partition("/")
        for item in items:
            weight, _, title = item.partition(" ")
            found.append(
                JobTitle(
                    title=title, department=department, seniority=seniority, weight=float(weight)
                )
            )
    return tuple(found)


JOB_TITLES = _titles()
COUNTRIES = tuple(
    Country(code=code, region=region, weight=float(weight), cities=tuple(cities))
    for (code, region, weight), cities in (
        (head.split(), items) for head, items in _entries(_COUNTRY_TABLE)
    )
)
ACTIVITY_KINDS = tuple(
    ActivityKind(name=name, weight=float(weight), attribute=attribute, values=tuple(values))
    for (name, weight, attribute), values in (
        (head.split(), items) for head, items in _entries(_ACTIVITY_TABLE)
    )
)
INDUSTRIES = tuple(
    (name.strip(), float(weight))
    for name, _, weight in (item.strip().rpartition(" ") for item in _INDUSTRIES.split(";"))
)


def _words(name: str) -> tuple[str, ...]:
    lines = (line.partition(":") for line in _WORD_TABLE.strip().splitlines())
    return tuple(word for head, _, tail in lines if head == name for word in tail.split())


FIRST_NAMES, LAST_NAMES, BRANDS, TRADES = (_words(n) for n in ("first", "last", "brand", "trade"))
