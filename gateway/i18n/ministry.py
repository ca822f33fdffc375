"""Interface text of the ministry dashboard: its filters, charts, tables and load runs.

Same shape as the other parts of :mod:`gateway.i18n` (which merges it in): key -> (en, ru, kk).
"""

from __future__ import annotations

MINISTRY_MESSAGES: dict[str, tuple[str, str, str]] = {
    "ministry.title": ("Ministry dashboard", "Панель министерства", "Министрлік тақтасы"),
    "ministry.lead": ("Retraining, completion and hiring, in aggregate.",
                      "Переобучение, завершение курсов и трудоустройство — в агрегатах.",
                      "Қайта даярлау, курсты аяқтау және жұмысқа орналасу — жиынтық түрде."),
    "ministry.placeholder": ("Reports and charts will appear here.",
                             "Здесь появятся отчёты и графики.",
                             "Мұнда есептер мен диаграммалар пайда болады."),
    # the ministry dashboard's filters, charts and tables
    "ministry.filters": ("Filters", "Фильтры", "Сүзгілер"),
    "ministry.from": ("Enrolled from", "Зачислены с", "Қабылданған күннен"),
    "ministry.to": ("to", "по", "дейін"),
    "ministry.programme": ("Programme", "Программа", "Бағдарлама"),
    "ministry.region": ("Region", "Регион", "Өңір"),
    "ministry.provider": ("Course provider", "Провайдер курсов", "Курс провайдері"),
    "ministry.any": ("all", "все", "барлығы"),
    "ministry.apply": ("Apply", "Применить", "Қолдану"),
    "ministry.reset": ("Reset", "Сбросить", "Тазарту"),
    "ministry.csv": ("Download CSV", "Скачать CSV", "CSV жүктеу"),
    "ministry.funnel": ("Retraining funnel", "Воронка переобучения", "Қайта даярлау шұңқыры"),
    "ministry.stage.enrolled": ("Enrolled", "Зачислены", "Қабылданды"),
    "ministry.stage.completed": ("Completed", "Завершили", "Аяқтады"),
    "ministry.stage.hired_30d": ("Hired ≤30 days", "Трудоустроены ≤30 дн.",
                                 "Жұмысқа орналасты ≤30 күн"),
    "ministry.stage.hired_90d": ("Hired ≤90 days", "Трудоустроены ≤90 дн.",
                                 "Жұмысқа орналасты ≤90 күн"),
    "ministry.stage.hired_180d": ("Hired ≤180 days", "Трудоустроены ≤180 дн.",
                                  "Жұмысқа орналасты ≤180 күн"),
    "ministry.median_days": ("Median days from completion to hire",
                             "Медиана дней от завершения до найма",
                             "Аяқтаудан жұмысқа алуға дейінгі күндер медианасы"),
    "ministry.median_salary": ("Median starting salary, KZT", "Медианная стартовая зарплата, ₸",
                               "Бастапқы жалақы медианасы, ₸"),
    "ministry.outcomes": ("Placement within 180 days, by programme and region",
                          "Трудоустройство за 180 дней по программам и регионам",
                          "180 күн ішінде жұмысқа орналасу: бағдарламалар мен өңірлер"),
    "ministry.by_programme": ("By programme", "По программам", "Бағдарламалар бойынша"),
    "ministry.by_region": ("By region", "По регионам", "Өңірлер бойынша"),
    "ministry.by_language": ("by language", "по языку", "тіл бойынша"),
    "ministry.by_area": ("by area", "по типу местности", "елді мекен түрі бойынша"),
    "ministry.providers": ("Providers ranked by placement rate",
                           "Провайдеры по доле трудоустройства",
                           "Жұмысқа орналасу үлесі бойынша провайдерлер"),
    "ministry.rank": ("Rank", "Место", "Орын"),
    "ministry.rate": ("Placement", "Трудоустройство", "Орналасу"),
    "ministry.group": ("Group", "Группа", "Топ"),
    "ministry.total": ("Total", "Итого", "Барлығы"),
    "ministry.skills": ("Skills demanded vs held", "Востребованные навыки и их наличие",
                        "Сұранысқа ие дағдылар мен олардың болуы"),
    "ministry.skill": ("Skill", "Навык", "Дағды"),
    "ministry.vacancies": ("vacancies", "вакансий", "бос орын"),
    "ministry.essential": ("essential", "обязательный", "міндетті"),
    "ministry.learners": ("learners", "слушателей", "білім алушы"),
    "ministry.col_vacancies": ("Vacancies", "Вакансий", "Бос орындар"),
    "ministry.col_essential": ("Essential in", "Обязателен в", "Міндетті үлесі"),
    "ministry.col_learners": ("Learners with it", "Есть у слушателей", "Меңгерген білім алушылар"),
    "ministry.gap": ("Gap", "Разрыв", "Алшақтық"),
    "ministry.courses": ("Courses", "Курсы", "Курстар"),
    "ministry.fairness": ("Fairness of recommendations", "Справедливость рекомендаций",
                          "Ұсыныстардың әділдігі"),
    "ministry.fairness_lead": (
        "Mean top-10 match score by preferred language and area; disparity = lowest group "
        "mean / highest (1 = parity).",
        "Средний балл топ-10 рекомендаций по языку и типу местности; диспропорция = "
        "минимальное среднее / максимальное (1 — равенство).",
        "Тіл және елді мекен түрі бойынша үздік 10 ұсыныстың орташа балы; диспропорция = "
        "ең төменгі орташа / ең жоғары (1 — теңдік).",
    ),
    "ministry.disparity": ("Disparity ratio", "Коэффициент диспропорции",
                           "Диспропорция коэффициенті"),
    "ministry.load": ("Load tests", "Нагрузочные тесты", "Жүктеме сынақтары"),
    "ministry.load_none": ("No load test recorded yet (make load).",
                           "Нагрузочные тесты ещё не проводились (make load).",
                           "Жүктеме сынақтары әлі жүргізілмеген (make load)."),
    "ministry.started": ("Started", "Начало", "Басталуы"),
    "ministry.users": ("Users", "Пользователи", "Пайдаланушылар"),
    "ministry.requests": ("Requests", "Запросы", "Сұраулар"),
    "ministry.failures": ("Failures", "Ошибки", "Қателер"),
    "ministry.unavailable": ("This report is unavailable right now",
                             "Этот отчёт сейчас недоступен", "Бұл есеп қазір қолжетімсіз"),
    "ministry.legend": (
        "“<5”: fewer than 5 people, not shown; “*”: hidden so that a small group cannot be "
        "worked out from totals. Reports contain no personal data.",
        "«<5»: меньше 5 человек, не показывается; «*»: скрыто, чтобы малую группу нельзя было "
        "вычислить из итогов. Отчёты не содержат персональных данных.",
        "«<5»: 5 адамнан аз, көрсетілмейді; «*»: шағын топты жиынтықтан есептеп шығаруға "
        "болмайтындай жасырылған. Есептерде дербес деректер жоқ.",
    ),
    "ministry.bad_range": ("“{from_label}” ({start}) is after “{to_label}” ({end}): choose an "
                           "earlier start date. The reports below are not filtered by date.",
                           "«{from_label}» ({start}) позже, чем «{to_label}» ({end}): выберите "
                           "более раннюю дату начала. Отчёты ниже не отфильтрованы по дате.",
                           "«{from_label}» ({start}) «{to_label}» ({end}) күнінен кейін: "
                           "ертерек басталу күнін таңдаңыз. Төмендегі есептер күн бойынша "
                           "сүзілмеген."),
    "ministry.bad_date": ("“{field}”: “{value}” is not a date (YYYY-MM-DD); it was ignored.",
                          "«{field}»: «{value}» — не дата (ГГГГ-ММ-ДД); фильтр не применён.",
                          "«{field}»: «{value}» — күн емес (ЖЖЖЖ-АА-КК); сүзгі қолданылмады."),
    "ministry.provider_unknown": ("No provider is called “{typed}”; the reports show no one.",
                                  "Провайдера «{typed}» нет; в отчётах никого не будет.",
                                  "«{typed}» деген провайдер жоқ; есептерде ешкім болмайды."),
    "ministry.population": ("Population: people whose enrolment date falls in the period and "
                            "who match the filters; each person counted once.",
                            "Совокупность: люди, записавшиеся на курс в выбранный период и "
                            "подходящие под фильтры; каждый считается один раз.",
                            "Жиынтық: таңдалған кезеңде курсқа жазылған және сүзгілерге сай "
                            "адамдар; әр адам бір рет есептеледі."),
    "ministry.providers_population": ("Each provider counts the people enrolled on its own "
                                      "courses.",
                                      "Каждый провайдер считает людей, записанных на его курсы.",
                                      "Әр провайдер өз курстарына жазылған адамдарды "
                                      "есептейді."),
    "ministry.providers_reconcile": ("Provider rows add up to {rows} people while the funnel "
                                     "counts {funnel}: {extra} enrolment(s) belong to people "
                                     "who studied with more than one provider, and each "
                                     "provider counts them.",
                                     "Строки провайдеров дают в сумме {rows} чел., а воронка — "
                                     "{funnel}: ещё {extra} — это люди, учившиеся у нескольких "
                                     "провайдеров; каждый провайдер учитывает их у себя.",
                                     "Провайдер жолдарының қосындысы {rows} адам, ал шұңқырда "
                                     "{funnel}: қосымша {extra} — бірнеше провайдерде оқыған "
                                     "адамдар; әр провайдер оларды өзінде есептейді."),
    "ministry.providers_equal": ("Provider rows add up to the funnel's {funnel} people.",
                                 "Сумма строк провайдеров совпадает с воронкой: {funnel} чел.",
                                 "Провайдер жолдарының қосындысы шұңқырмен сәйкес: {funnel} "
                                 "адам."),
    "ministry.providers_hidden": ("Rows shown as “<5” or “*” are left out of the sum.",
                                  "Строки «<5» и «*» в сумму не входят.",
                                  "«<5» және «*» жолдары қосындыға кірмейді."),
    "ministry.unknown_provider": ("provider not stated", "провайдер не указан",
                                  "провайдер көрсетілмеген"),
    "ministry.fairness_region": ("by region", "по регионам", "өңірлер бойынша"),
    "ministry.fairness_sample": ("Sample: {n} learners with recommendations.",
                                 "Выборка: {n} слушателей с рекомендациями.",
                                 "Іріктеме: ұсыныстары бар {n} білім алушы."),
    "ministry.score": ("Mean top-10 score", "Средний балл топ-10", "Үздік 10 орташа балы"),
    "ministry.above": ("Above threshold", "Выше порога", "Шектен жоғары"),
    "ministry.area.urban": ("cities", "города", "қалалар"),
    "ministry.area.oblast": ("oblasts", "области", "облыстар"),
    "ministry.group.unknown": ("not stated", "не указано", "көрсетілмеген"),
    "ministry.lang.kk": ("Kazakh", "казахский", "қазақ тілі"),
    "ministry.lang.ru": ("Russian", "русский", "орыс тілі"),
    "ministry.lang.en": ("English", "английский", "ағылшын тілі"),
    "ministry.load_none_yet": ("No load test has been run yet.",
                               "Нагрузочных тестов ещё не было.",
                               "Жүктеме сынақтары әлі жүргізілмеген."),
    "ministry.load_last": ("Last run {when}: {users} users, {rps} requests/s, p95 {p95} ms, "
                           "{failures} failed of {requests}.",
                           "Последний прогон {when}: {users} польз., {rps} запросов/с, "
                           "p95 {p95} мс, ошибок {failures} из {requests}.",
                           "Соңғы сынақ {when}: {users} пайдаланушы, {rps} сұрау/с, p95 {p95} "
                           "мс, {requests} сұраудың {failures} қатесі."),
    "ministry.rps": ("req/s", "запр./с", "сұрау/с"),
    "ministry.ms": ("ms", "мс", "мс"),
}  # fmt: skip
