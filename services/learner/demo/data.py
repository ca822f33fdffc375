"""Word lists for generated demo learners: names, occupations, CV phrases."""

from __future__ import annotations

from dataclasses import dataclass

KAZAKH_MALE = tuple(
    (
        "Нурлан Ерлан Асхат Данияр Бауыржан Ержан Арман Айдос Нуржан Серик Марат Алибек "
        "Санжар Темирлан Дастан Еркебулан Мади Жандос Азамат Олжас Айбек Диас Рустем Ильяс "
        "Тимур Арсен Бекзат Ерасыл Нурсултан Абылай Галымжан Досжан"
    ).split()
)
KAZAKH_FEMALE = tuple(
    (
        "Айгерим Алия Динара Жанар Гульнара Асель Мадина Айжан Сауле Акмарал Аружан Томирис "
        "Дана Камила Жансая Мөлдір Айдана Назерке Балнур Дильназ Анель Інкар Гульмира "
        "Салтанат Жулдыз Айым Аяжан Зарина"
    ).split()
)
# Male forms; the female form adds "а" (Сапаров → Сапарова) unless the name is invariant.
KAZAKH_SURNAMES = tuple(
    (
        "Сапаров Жумабаев Ахметов Омаров Нургалиев Серикбаев Касымов Абенов Тулегенов Искаков "
        "Оспанов Муканов Байжанов Жаксылыков Кенжебаев Сулейменов Ермеков Садыков Утепов "
        "Кайратов Алимжанов Турсынов Смагулов Есенов Карибаев Мусин Ибраев Жунусов Токтаров "
        "Бекмуханбетов Нурпеисов Амангельдин"
    ).split()
)
RUSSIAN_MALE = tuple(
    (
        "Дмитрий Алексей Сергей Андрей Максим Иван Артём Никита Михаил Владимир Евгений Денис "
        "Павел Роман Кирилл Илья Егор Виктор Олег Антон"
    ).split()
)
RUSSIAN_FEMALE = tuple(
    (
        "Анна Екатерина Мария Ольга Наталья Елена Татьяна Юлия Анастасия Дарья Ксения "
        "Виктория Алина Полина Светлана Ирина Валерия Кристина Софья Елизавета"
    ).split()
)
RUSSIAN_SURNAMES = tuple(
    (
        "Ковалёв Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков "
        "Фёдоров Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов "
        "Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев "
        "Шевченко Бондаренко Ким Пак Цой"
    ).split()
)

# Share of Kazakh speakers by region (rounded from the 2021 census' ethnic composition); only
# used to make generated names and language levels plausible, never as a statistic.
# fmt: off
KAZAKH_SHARE = {
    "abai": 0.75, "akmola": 0.55, "aktobe": 0.87, "almaty": 0.70, "atyrau": 0.93,
    "east-kazakhstan": 0.58, "jambyl": 0.76, "jetisu": 0.72, "karaganda": 0.52,
    "kostanay": 0.44, "kyzylorda": 0.96, "mangystau": 0.92, "north-kazakhstan": 0.37,
    "pavlodar": 0.52, "turkistan": 0.72, "ulytau": 0.80, "west-kazakhstan": 0.81,
    "astana": 0.79, "almaty-city": 0.62, "shymkent": 0.66,
}
# fmt: on

# fmt: off
_TRANSLIT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo",
    "ж": "zh", "з": "z", "и": "i", "й": "y", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
# fmt: on


def transliterate(text: str) -> str:
    """Return a lower-case Latin spelling of a Kazakh or Russian name."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def female_surname(surname: str) -> str:
    """Return the female form of a surname (Жумабаев → Жумабаева, Ким → Ким)."""
    if surname.endswith(("ов", "ев", "ёв", "ин")):
        return surname + "а"
    return surname


@dataclass(frozen=True)
class Occupation:
    """A target occupation: its ESCO concept, a Russian title, CV skills, course keywords."""

    uri: str
    title: str
    title_ru: str
    weight: float
    skills: tuple[str, ...]
    keywords: tuple[str, ...]


_ESCO = "http://data.europa.eu/esco/occupation/"

# URIs checked against ESCO v1.1.1 occupations_en.csv (../shared/data/esco).
OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation(
        _ESCO + "d3edb8f8-3a06-47a0-8fb9-9b212c006aa2",
        "data analyst",
        "Аналитик данных",
        5,
        ("SQL", "Microsoft Excel", "data visualisation", "statistics"),
        ("data analy", "sql", "excel", "tableau", "power bi", "statistic"),
    ),
    Occupation(
        _ESCO + "f2b15a0e-e65a-438a-affb-29b9d50b77d1",
        "software developer",
        "Разработчик программного обеспечения",
        5,
        ("Python", "Java", "Git", "object-oriented programming"),
        ("python", "java", "programming", "software", "git"),
    ),
    Occupation(
        _ESCO + "c40a2919-48a9-40ea-b506-1f34f693496d",
        "web developer",
        "Веб-разработчик",
        4,
        ("JavaScript", "HTML", "CSS", "React"),
        ("javascript", "web", "html", "react", "front-end", "full-stack"),
    ),
    Occupation(
        _ESCO + "258e46f9-0075-4a2e-adae-1ff0477e0f30",
        "data scientist",
        "Специалист по данным",
        3,
        ("Python", "machine learning", "statistics", "pandas"),
        ("machine learning", "data science", "deep learning", "python", "neural"),
    ),
    Occupation(
        _ESCO + "2ed56c3f-61d6-4f7e-9ef8-8849eb102e4c",
        "mobile application developer",
        "Мобильный разработчик",
        2,
        ("Kotlin", "Swift", "Android", "Flutter"),
        ("android", "ios", "mobile", "flutter", "kotlin", "swift"),
    ),
    Occupation(
        _ESCO + "0464b062-cea6-4164-b10d-956c61956ae7",
        "ICT security administrator",
        "Специалист по информационной безопасности",
        2,
        ("network security", "Linux", "incident response"),
        ("security", "cyber", "network", "linux"),
    ),
    Occupation(
        _ESCO + "9e2e6e1e-363b-4e1b-a673-7bc0f7343300",
        "ICT system administrator",
        "Системный администратор",
        2,
        ("Linux", "Windows Server", "networking", "Bash"),
        ("linux", "system admin", "cloud", "network", "devops"),
    ),
    Occupation(
        _ESCO + "60082a99-d8ef-4e84-9290-78902681b6ed",
        "business analyst",
        "Бизнес-аналитик",
        3,
        ("requirements analysis", "BPMN", "SQL", "stakeholder management"),
        ("business analy", "requirements", "process", "agile"),
    ),
    Occupation(
        _ESCO + "8b6388a4-4904-471b-9331-d3b1211f5525",
        "ICT project manager",
        "Менеджер IT-проектов",
        2,
        ("project management", "Scrum", "Jira", "risk management"),
        ("project management", "agile", "scrum", "leadership"),
    ),
    Occupation(
        _ESCO + "96e20037-0a25-4bf6-a25e-808d1605d890",
        "user interface designer",
        "UI/UX-дизайнер",
        2,
        ("Figma", "user research", "prototyping", "visual design"),
        ("design", "ux", "user experience", "figma", "interface"),
    ),
    Occupation(
        _ESCO + "106f79e4-6264-45f1-9e7a-297435cd684b",
        "software tester",
        "Тестировщик ПО",
        2,
        ("manual testing", "test automation", "Selenium", "SQL"),
        ("testing", "quality", "selenium", "automation"),
    ),
    Occupation(
        _ESCO + "dc97adbe-f807-4ad8-8f3c-c24b3416cdef",
        "digital marketing manager",
        "Интернет-маркетолог",
        2,
        ("digital marketing", "SEO", "Google Analytics", "content marketing"),
        ("marketing", "seo", "social media", "advertising", "analytics"),
    ),
    Occupation(
        _ESCO + "eda0d957-3c3c-4139-b89a-a18bc9e18897",
        "accountant",
        "Бухгалтер",
        2,
        ("accounting", "1C", "Microsoft Excel", "tax reporting"),
        ("accounting", "finance", "excel", "financial"),
    ),
    Occupation(
        _ESCO + "aaeec9a7-dc57-4485-890c-86b3eef735f9",
        "ICT help desk agent",
        "Специалист технической поддержки",
        2,
        ("technical support", "Windows", "customer service", "networking"),
        ("it support", "technical support", "customer", "network", "windows"),
    ),
)

PREVIOUS_JOBS_EN = (
    "sales assistant",
    "school teacher",
    "call centre operator",
    "bank clerk",
    "courier",
    "warehouse worker",
    "administrator",
    "engineer at a mining company",
    "shop manager",
    "nurse",
    "accountant's assistant",
    "oil field technician",
    "driver",
)
PREVIOUS_JOBS_RU = (
    "продавец-консультант",
    "учитель",
    "оператор колл-центра",
    "операционист банка",
    "курьер",
    "кладовщик",
    "администратор",
    "инженер на горнодобывающем предприятии",
    "управляющий магазином",
    "медсестра",
    "помощник бухгалтера",
    "техник на нефтяном месторождении",
    "водитель",
)
EDUCATION_EN = (
    "a bachelor's degree in economics",
    "a bachelor's degree in engineering",
    "a college diploma in computing",
    "a bachelor's degree in mathematics",
    "a bachelor's degree in pedagogy",
    "a college diploma in accounting",
    "secondary school",
)
EDUCATION_RU = (
    "высшее экономическое образование",
    "высшее техническое образование",
    "колледж по специальности «Вычислительная техника»",
    "высшее образование по математике",
    "высшее педагогическое образование",
    "колледж по специальности «Учёт и аудит»",
    "среднее образование",
)
