"""Interface text of the training provider's pages. Same shape: key -> (en, ru, kk)."""

from __future__ import annotations

PROVIDER_MESSAGES: dict[str, tuple[str, str, str]] = {
    "role.provider": ("Training provider", "Провайдер обучения", "Оқыту провайдері"),
    "nav.provider_courses": ("My courses", "Мои курсы", "Менің курстарым"),
    "nav.provider_report": ("Enrolment report", "Отчёт о записях", "Жазылу есебі"),
    "admin.provider_name": ("Provider name (for provider accounts)",
                            "Название провайдера (для провайдеров)",
                            "Провайдер атауы (провайдерлер үшін)"),
    "admin.provider_hint": ("as its courses carry it, e.g. AI-Sana",
                            "как в его курсах, например AI-Sana",
                            "курстарындағыдай, мысалы AI-Sana"),
    # --- course fields ---------------------------------------------------------------------
    "field.hours": ("Study hours", "Часы обучения", "Оқу сағаттары"),
    "field.teaching_language": ("Teaching language", "Язык обучения", "Оқыту тілі"),
    "field.price_kzt": ("Price, ₸ (0 = free)", "Цена, ₸ (0 — бесплатно)", "Бағасы, ₸ (0 — тегін)"),
    "field.url": ("Course page (https://…)", "Страница курса (https://…)",
                  "Курс беті (https://…)"),
    "field.subject": ("Subject", "Направление", "Бағыты"),
    "field.state_funded": ("Paid by the state", "Оплачивает государство",
                           "Мемлекет төлейді"),
    "field.institution": ("Institution", "Учебное заведение", "Оқу орны"),
    "field.external_id": ("Provider's course id", "Код курса у провайдера",
                          "Провайдердегі курс коды"),
    "field.retired": ("Retired", "Снят с набора", "Қабылдау тоқтатылды"),
    "course_level.beginner": ("beginner", "начальный", "бастауыш"),
    "course_level.intermediate": ("intermediate", "средний", "орта"),
    "course_level.advanced": ("advanced", "продвинутый", "жоғары"),
    # --- the course list -------------------------------------------------------------------
    "provider.title": ("My courses", "Мои курсы", "Менің курстарым"),
    "provider.lead": ("Your courses with their enrolments. A retired course stays in the "
                      "reports but takes no new learners.",
                      "Ваши курсы и записи на них. Снятый с набора курс остаётся в отчётах, "
                      "но новых слушателей не принимает.",
                      "Курстарыңыз және оларға жазылулар. Қабылдауы тоқтатылған курс "
                      "есептерде қалады, бірақ жаңа білім алушыларды қабылдамайды."),
    "provider.course_title": ("Course title", "Название курса", "Курс атауы"),
    "provider.add_course": ("Add a course", "Добавить курс", "Курс қосу"),
    "provider.edit_course": ("Edit the course", "Изменить курс", "Курсты өзгерту"),
    "provider.edit": ("Edit", "Изменить", "Өзгерту"),
    "provider.save": ("Save the course", "Сохранить курс", "Курсты сақтау"),
    "provider.retire": ("Retire", "Снять с набора", "Қабылдауды тоқтату"),
    "provider.reinstate": ("Offer again", "Вернуть в набор", "Қабылдауды қайта ашу"),
    "provider.retired_status": ("retired", "снят с набора", "қабылдау тоқтатылды"),
    "provider.offered": ("open for enrolment", "идёт набор", "қабылдау жүріп жатыр"),
    "provider.no_courses": ("No courses yet.", "Курсов пока нет.", "Әзірге курстар жоқ."),
    "provider.course_saved": ("The course is published.", "Курс опубликован.",
                              "Курс жарияланды."),
    "provider.course_updated": ("The course is updated.", "Курс обновлён.", "Курс жаңартылды."),
    "provider.retired": ("The course is retired: it takes no new enrolments.",
                         "Курс снят с набора: новые записи не принимаются.",
                         "Курс қабылдауы тоқтатылды: жаңа жазылулар қабылданбайды."),
    "provider.reinstated": ("The course is open for enrolment again.",
                            "Набор на курс снова открыт.", "Курсқа қабылдау қайта ашылды."),
    "provider.skills": ("Skills the course teaches", "Навыки, которым учит курс",
                        "Курс үйрететін дағдылар"),
    "provider.skills_hint": ("one per line", "по одному в строке", "әр жолға біреуден"),
    "provider.col_enrolled": ("Enrolled", "Записались", "Жазылды"),
    "provider.col_active": ("Studying", "Учатся", "Оқып жатыр"),
    "provider.col_completed": ("Completed", "Завершили", "Аяқтады"),
    "provider.col_dropped": ("Dropped", "Бросили", "Тастап кетті"),
    "provider.col_completion_rate": ("Completion rate", "Доля завершивших", "Аяқтау үлесі"),
    "provider.col_total": ("Total", "Итого", "Барлығы"),
    # --- the report ------------------------------------------------------------------------
    "provider.month": ("Month of enrolment", "Месяц записи", "Жазылу айы"),
    "provider.from_month": ("From month", "С месяца", "Айдан бастап"),
    "provider.to_month": ("To month", "По месяц", "Айға дейін"),
    "provider.download_csv": ("Download CSV", "Скачать CSV", "CSV жүктеу"),
    "provider.report_empty": ("No enrolments in these months.", "В эти месяцы записей нет.",
                              "Бұл айларда жазылулар жоқ."),
    "provider.report_population": ("Enrolments on your courses (retired ones too) by month of "
                                   "enrolment; completed and dropped count what has become of "
                                   "those enrolments so far.",
                                   "Записи на ваши курсы (и снятые с набора) по месяцу записи; "
                                   "«завершили» и «бросили» — что стало с этими записями на "
                                   "сегодня.",
                                   "Курстарыңызға (қабылдауы тоқтатылғандарын қоса) жазылулар "
                                   "жазылу айы бойынша; «аяқтады» және «тастап кетті» — бұл "
                                   "жазылулардың бүгінгі жағдайы."),
    "provider.suppression": ("Counts of 1–4 are shown as “<5”, and counts that would reveal "
                             "them by subtraction as “*”, so the report can be shared as it is.",
                             "Числа от 1 до 4 показаны как «<5», а числа, по которым их можно "
                             "вычислить, — как «*»: отчёт можно передавать как есть.",
                             "1–4 сандары «<5» түрінде, оларды азайту арқылы табуға болатын "
                             "сандар «*» түрінде көрсетіледі: есепті сол күйінде беруге болады."),
    # --- what a refusal means --------------------------------------------------------------
    "problem.not_your_course": ("This course belongs to another provider.",
                                "Этот курс принадлежит другому провайдеру.",
                                "Бұл курс басқа провайдерге тиесілі."),
    "problem.not_your_name": ("Courses are published under your own provider name only.",
                              "Курсы публикуются только под названием вашего провайдера.",
                              "Курстар тек өз провайдеріңіздің атауымен жарияланады."),
    "problem.only_providers": ("Only training providers may do this.",
                               "Это могут только провайдеры обучения.",
                               "Мұны тек оқыту провайдерлері жасай алады."),
    "problem.course_retired": ("The course is retired and takes no new enrolments.",
                               "Курс снят с набора и не принимает новых записей.",
                               "Курс қабылдауы тоқтатылған, жаңа жазылулар қабылданбайды."),
    "problem.provider_needed": ("give the provider's name as its courses carry it",
                                "укажите название провайдера, как в его курсах",
                                "провайдер атауын курстарындағыдай көрсетіңіз"),
    "problem.only_provider_accounts": ("only for provider accounts",
                                       "только для учётных записей провайдеров",
                                       "тек провайдер есептік жазбалары үшін"),
    "problem.not_your_records": ("You may only read your own provider's records.",
                                 "Можно смотреть только записи своего провайдера.",
                                 "Тек өз провайдеріңіздің жазбаларын көре аласыз."),
    "problem.by_course_only": ("Enrolments are listed by course, not by learner.",
                               "Записи показываются по курсам, а не по слушателям.",
                               "Жазылулар білім алушы бойынша емес, курс бойынша көрсетіледі."),
}  # fmt: skip
