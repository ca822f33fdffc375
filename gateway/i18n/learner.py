"""Interface text of the learner pages (merged into :mod:`gateway.i18n`): key -> (en, ru, kk).

Messages whose words agree with a number live in ``LEARNER_PLURALS``, by CLDR plural category.
"""

from __future__ import annotations

LEARNER_MESSAGES: dict[str, tuple[str, str, str]] = {
    "nav.courses": ("Courses", "Курсы", "Курстар"),
    "nav.goals": ("Goal", "Цель", "Мақсат"),
    # --- profile editing ------------------------------------------------------------------------
    "profile.about": ("About me", "Обо мне", "Өзім туралы"),
    "profile.languages": ("Languages I speak", "Языки, которыми владею", "Меңгерген тілдерім"),
    "profile.language_none": ("— none —", "— нет —", "— жоқ —"),
    "profile.cv_limit": ("up to {limit} characters; now {count}",
                         "до {limit} символов; сейчас {count}",
                         "{limit} таңбаға дейін; қазір {count}"),
    "profile.not_saved": ("Nothing was saved: correct the fields below.",
                          "Ничего не сохранено: исправьте поля ниже.",
                          "Ештеңе сақталмады: төмендегі өрістерді түзетіңіз."),
    "profile.goals": ("Occupations I aim at", "Профессии, к которым стремлюсь",
                      "Мақсат еткен кәсіптерім"),
    "profile.goals_none": ("No goal yet.", "Цель пока не выбрана.", "Мақсат әлі таңдалмаған."),
    "profile.goals_choose": ("Choose an occupation", "Выбрать профессию", "Кәсіп таңдау"),
    "lang.kk": ("Kazakh", "Казахский", "Қазақ тілі"),
    "lang.ru": ("Russian", "Русский", "Орыс тілі"),
    "lang.en": ("English", "Английский", "Ағылшын тілі"),
    "level.native": ("native", "родной", "ана тілі"),
    "level.A1": ("A1 beginner", "A1 начальный", "A1 бастауыш"),
    "level.A2": ("A2 elementary", "A2 элементарный", "A2 қарапайым"),
    "level.B1": ("B1 intermediate", "B1 средний", "B1 орта"),
    "level.B2": ("B2 upper intermediate", "B2 выше среднего", "B2 ортадан жоғары"),
    "level.C1": ("C1 advanced", "C1 продвинутый", "C1 жоғары"),
    "level.C2": ("C2 proficient", "C2 в совершенстве", "C2 еркін"),
    # --- skills: add, reject, undo ---------------------------------------------------------------
    "skills.add": ("Add a skill", "Добавить навык", "Дағды қосу"),
    "skills.add_hint": ("Type a skill in any language, e.g. «Python», «бухгалтерский учёт», "
                        "«ағылшын тілі».",
                        "Введите навык на любом языке, например «Python», «бухгалтерский "
                        "учёт», «ағылшын тілі».",
                        "Дағдыны кез келген тілде жазыңыз, мысалы «Python», «бухгалтерский "
                        "учёт», «ағылшын тілі»."),
    "skills.search": ("Find", "Найти", "Табу"),
    "skills.add_one": ("Add", "Добавить", "Қосу"),
    "skills.added": ("Skill added: {label}", "Навык добавлен: {label}", "Дағды қосылды: {label}"),
    "skills.have": ("already in my profile", "уже в профиле", "профильде бар"),
    "skills.no_results": ("No skill found for «{q}». Try another word.",
                          "Навык «{q}» не найден. Попробуйте другое слово.",
                          "«{q}» бойынша дағды табылмады. Басқа сөз жазып көріңіз."),
    "skills.rejected_title": ("Skills I rejected", "Отклонённые навыки",
                              "Қабылданбаған дағдыларым"),
    "skills.undo": ("Undo", "Вернуть", "Қайтару"),
    "skills.restored": ("Skill restored: {label}", "Навык возвращён: {label}",
                        "Дағды қайтарылды: {label}"),
    # --- jobs -----------------------------------------------------------------------------------
    "jobs.all_regions": ("All regions", "Все регионы", "Барлық өңірлер"),
    "jobs.any_language": ("Any language", "Любой язык", "Кез келген тіл"),
    "jobs.language": ("Language of work", "Язык работы", "Жұмыс тілі"),
    "jobs.nothing_local": ("There are no open vacancies in {region} yet, so vacancies from other "
                           "regions are shown. Most vacancies here come from hh.kz and are in "
                           "Astana; remote ones can be done from anywhere.",
                           "В регионе «{region}» пока нет открытых вакансий, поэтому показаны "
                           "вакансии других регионов. Большинство вакансий здесь с hh.kz и "
                           "находятся в Астане; удалённые можно выполнять откуда угодно.",
                           "«{region}» өңірінде әзірге ашық бос орын жоқ, сондықтан басқа "
                           "өңірлердің бос орындары көрсетілді. Мұндағы бос орындардың көбі "
                           "hh.kz-тен, Астанада; қашықтан жұмысты кез келген жерден істеуге "
                           "болады."),
    "jobs.none_filtered": ("No vacancy passes these filters. Widen them.",
                           "Ни одна вакансия не проходит фильтры. Ослабьте их.",
                           "Сүзгіге сай бос орын жоқ. Сүзгіні кеңейтіңіз."),
    "jobs.open": ("Details", "Подробнее", "Толығырақ"),
    "jobs.courses": ("Courses for this job", "Курсы к этой вакансии",
                     "Осы жұмысқа арналған курстар"),
    "salary.not_given": ("salary not given", "зарплата не указана", "жалақы көрсетілмеген"),
    "salary.from": ("from {v}", "от {v}", "{v} бастап"),
    "salary.to": ("up to {v}", "до {v}", "{v} дейін"),
    # --- vacancy page ---------------------------------------------------------------------------
    "vacancy.employer": ("Employer", "Работодатель", "Жұмыс беруші"),
    "vacancy.required": ("Required skills", "Обязательные навыки", "Міндетті дағдылар"),
    "vacancy.optional": ("Desirable skills", "Желательные навыки", "Қалаулы дағдылар"),
    "vacancy.your_match": ("You and this job", "Вы и эта вакансия", "Сіз және бұл жұмыс"),
    "vacancy.you_have": ("You have", "У вас есть", "Сізде бар"),
    "vacancy.you_miss": ("You miss", "Вам не хватает", "Сізге жетпейді"),
    "vacancy.requirements": ("Requirements", "Требования", "Талаптар"),
    "vacancy.languages": ("Languages", "Языки", "Тілдер"),
    "vacancy.closed_note": ("This vacancy is closed: it no longer takes applications.",
                            "Вакансия закрыта: отклики больше не принимаются.",
                            "Бос орын жабық: өтінім қабылданбайды."),
    "vacancy.applied": ("You applied on {date}; status: {status}.",
                        "Вы откликнулись {date}; статус: {status}.",
                        "Сіз {date} өтінім бердіңіз; мәртебе: {status}."),
    "vacancy.letter": ("Cover letter (optional)", "Сопроводительное письмо (необязательно)",
                       "Ілеспе хат (міндетті емес)"),
    "vacancy.source": ("Source", "Источник", "Дереккөз"),
    "vacancy.back": ("← Back to jobs", "← К вакансиям", "← Жұмыстарға оралу"),
    # --- courses --------------------------------------------------------------------------------
    "courses.title": ("Courses for me", "Курсы для меня", "Маған арналған курстар"),
    "courses.lead_gaps": ("Chosen from the skills you miss for the jobs that fit you best:",
                          "Подобраны по навыкам, которых вам не хватает для самых подходящих "
                          "вакансий:",
                          "Сізге ең сәйкес жұмыстарға жетпейтін дағдылар бойынша таңдалды:"),
    "courses.lead_goals": ("Chosen from the skills you miss for your goals:",
                           "Подобраны по навыкам, которых не хватает для ваших целей:",
                           "Мақсаттарыңызға жетпейтін дағдылар бойынша таңдалды:"),
    "courses.lead_target": ("Toward", "Цель", "Мақсат"),
    "courses.for": ("Helps toward", "Помогает для", "Көмектеседі"),
    "courses.teaches": ("Teaches what you miss", "Даёт недостающие навыки",
                        "Жетпейтін дағдыларды үйретеді"),
    "courses.prerequisites": ("Take first", "Сначала пройдите", "Алдымен өтіңіз"),
    "courses.none": ("No course teaches what you miss yet.",
                     "Пока ни один курс не учит недостающим навыкам.",
                     "Жетпейтін дағдыларды әзірге ешбір курс үйретпейді."),
    "courses.no_basis": ("There is nothing to base recommendations on yet: add skills to your "
                         "profile or choose a goal.",
                         "Пока не на что опереться: добавьте навыки в профиль или выберите цель.",
                         "Әзірге ұсынуға негіз жоқ: профильге дағды қосыңыз немесе мақсат "
                         "таңдаңыз."),
    "courses.choose_target": ("Choose another goal", "Выбрать другую цель",
                              "Басқа мақсат таңдау"),
    "courses.hours_unknown": ("hours not stated", "часы не указаны", "сағаты көрсетілмеген"),
    "courses.language": ("Language", "Язык", "Тілі"),
    # --- occupation picker ----------------------------------------------------------------------
    "goal.title": ("Choose your goal", "Выберите цель", "Мақсатыңызды таңдаңыз"),
    "goal.lead": ("Search an occupation by name in any language; then see the retraining path "
                  "or the courses for it, or add it to your goals.",
                  "Найдите профессию по названию на любом языке, затем откройте путь "
                  "переобучения или курсы к ней либо добавьте её в свои цели.",
                  "Кәсіпті атауы бойынша кез келген тілде іздеңіз, содан кейін оған қайта "
                  "даярлау жолын не курстарды ашыңыз немесе мақсаттарыңызға қосыңыз."),
    "goal.search": ("Occupation", "Профессия", "Кәсіп"),
    "goal.placeholder": ("e.g. аналитик данных, бухгалтер, software developer",
                         "например, аналитик данных, бухгалтер, software developer",
                         "мысалы, деректер талдаушысы, бухгалтер, software developer"),
    "goal.none": ("No occupation found for «{q}».", "Профессия «{q}» не найдена.",
                  "«{q}» бойынша кәсіп табылмады."),
    "goal.path": ("Retraining path", "Путь переобучения", "Қайта даярлау жолы"),
    "goal.courses": ("Courses", "Курсы", "Курстар"),
    "goal.add": ("Add to my goals", "Добавить в цели", "Мақсаттарға қосу"),
    "goal.remove": ("Remove", "Убрать", "Алып тастау"),
    "goal.added": ("Goal added: {label}", "Цель добавлена: {label}", "Мақсат қосылды: {label}"),
    "goal.removed": ("Goal removed: {label}", "Цель убрана: {label}",
                     "Мақсат алынып тасталды: {label}"),
    "goal.is_goal": ("in my goals", "в моих целях", "мақсаттарымда"),
    "goal.esco_note": ("Occupation names come from the European ESCO classification and are "
                       "shown in English until translated.",
                       "Названия профессий взяты из европейского классификатора ESCO и пока "
                       "показаны на английском.",
                       "Кәсіп атаулары еуропалық ESCO жіктеуішінен алынған және әзірге "
                       "ағылшынша көрсетілген."),
    # --- path -----------------------------------------------------------------------------------
    "path.prerequisites": ("After", "После курса", "Осы курстан кейін"),
    "path.needed_before": ("Needed before", "Нужен перед курсом", "Мына курстың алдында қажет"),
    "path.stable_note": ("The path is the cheapest set of courses in hours for the courses "
                         "known now; it changes only when the catalogue or your skills change.",
                         "Путь — самый короткий по часам набор из известных сейчас курсов; "
                         "он меняется, только когда меняется каталог или ваши навыки.",
                         "Жол — қазір белгілі курстардан сағаты ең аз жиынтық; ол каталог "
                         "немесе дағдыларыңыз өзгергенде ғана өзгереді."),
    "path.estimated": ("* hours not stated by the provider: estimated",
                       "* провайдер не указал часы: оценка",
                       "* провайдер сағатын көрсетпеген: бағалау"),
    "path.choose": ("Choose another goal", "Выбрать другую цель", "Басқа мақсат таңдау"),
    "path.cycle": ("Some courses require each other; they are listed in a workable order.",
                   "Некоторые курсы требуют друг друга; они перечислены в выполнимом порядке.",
                   "Кейбір курстар бірін-бірі талап етеді; олар орындалатын ретпен берілген."),
    "path.taught_in": ("Taught in {language}", "Язык обучения: {language}",
                       "Оқыту тілі: {language}"),
    "path.not_your_language": ("not among the languages in your profile",
                               "этого языка нет в вашем профиле",
                               "бұл тіл профиліңізде жоқ"),
    # --- activity -------------------------------------------------------------------------------
    "activity.applied_on": ("Applied", "Отклик", "Өтінім"),
    "activity.updated_on": ("Last change", "Изменён", "Өзгерді"),
    "activity.enrolled_on": ("Enrolled", "Запись", "Жазылды"),
    "activity.provider": ("Provider", "Провайдер", "Провайдер"),
}  # fmt: skip

# key -> language -> CLDR category -> text; {n} is the number.
LEARNER_PLURALS: dict[str, dict[str, dict[str, str]]] = {
    "path.whatif_n": {
        "en": {"one": "What if: {n} more vacancy opens up ({total} within reach)",
               "other": "What if: {n} more vacancies open up ({total} within reach)"},
        "ru": {"one": "Что если: откроется ещё {n} вакансия (всего доступно {total})",
               "few": "Что если: откроются ещё {n} вакансии (всего доступно {total})",
               "many": "Что если: откроются ещё {n} вакансий (всего доступно {total})"},
        "kk": {"one": "Егер өтсеңіз: тағы {n} бос орын ашылады (барлығы {total})",
               "other": "Егер өтсеңіз: тағы {n} бос орын ашылады (барлығы {total})"},
    },
    "path.reach_n": {
        "en": {"one": "A vacancy is within reach when you hold at least {share}% of its "
                      "required skills. Now {n} open vacancy is within reach; after the whole "
                      "path, {after}.",
               "other": "A vacancy is within reach when you hold at least {share}% of its "
                        "required skills. Now {n} open vacancies are within reach; after the "
                        "whole path, {after}."},
        "ru": {"one": "Вакансия доступна, если у вас есть не менее {share}% её обязательных "
                      "навыков. Сейчас доступна {n} открытая вакансия; после всего пути — "
                      "{after}.",
               "few": "Вакансия доступна, если у вас есть не менее {share}% её обязательных "
                      "навыков. Сейчас доступны {n} открытые вакансии; после всего пути — "
                      "{after}.",
               "many": "Вакансия доступна, если у вас есть не менее {share}% её обязательных "
                       "навыков. Сейчас доступно {n} открытых вакансий; после всего пути — "
                       "{after}."},
        "kk": {"other": "Бос орынның міндетті дағдыларының кемінде {share}%-ы сізде болса, ол "
                        "қолжетімді. Қазір {n} ашық бос орын қолжетімді; бүкіл жолдан кейін — "
                        "{after}."},
    },
    "jobs.considered_n": {
        "en": {"one": "{n} open vacancy passes the filters",
               "other": "{n} open vacancies pass the filters"},
        "ru": {"one": "Фильтрам соответствует {n} открытая вакансия",
               "few": "Фильтрам соответствуют {n} открытые вакансии",
               "many": "Фильтрам соответствуют {n} открытых вакансий"},
        "kk": {"other": "Сүзгіге {n} ашық бос орын сай келеді"},
    },
    "hours_n": {
        "en": {"one": "{n} hour", "other": "{n} hours"},
        "ru": {"one": "{n} час", "few": "{n} часа", "many": "{n} часов"},
        "kk": {"other": "{n} сағат"},
    },
    "courses.missing_n": {
        "en": {"one": "{n} skill to learn", "other": "{n} skills to learn"},
        "ru": {"one": "{n} навык освоить", "few": "{n} навыка освоить",
               "many": "{n} навыков освоить"},
        "kk": {"other": "{n} дағды үйрену керек"},
    },
}  # fmt: skip
