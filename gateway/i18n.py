"""The interface's own text in Kazakh, Russian and English (user content is shown as is)."""

from __future__ import annotations

from typing import Any

from .i18n_learner import LEARNER_MESSAGES, LEARNER_PLURALS
from .i18n_staff import STAFF_MESSAGES

LANGUAGES = ("kk", "ru", "en")

# key: (en, ru, kk)
MESSAGES: dict[str, tuple[str, str, str]] = {
    "app.tagline": ("Skills, jobs and retraining", "Навыки, работа и переобучение",
                    "Дағдылар, жұмыс және қайта даярлау"),
    "app.footer": ("Qabilet — skills matching for Kazakhstan",
                   "Qabilet — подбор по навыкам для Казахстана",
                   "Qabilet — Қазақстанға арналған дағдылар бойынша іріктеу"),
    "nav.profile": ("My profile", "Мой профиль", "Менің профилім"),
    "nav.jobs": ("Jobs for me", "Вакансии для меня", "Маған арналған жұмыстар"),
    "nav.activity": ("Applications and courses", "Отклики и курсы", "Өтінімдер мен курстар"),
    "nav.vacancies": ("My vacancies", "Мои вакансии", "Менің бос орындарым"),
    "nav.new_vacancy": ("Post a vacancy", "Разместить вакансию", "Бос орын жариялау"),
    "nav.dashboard": ("Dashboard", "Панель", "Басқару тақтасы"),
    "nav.accounts": ("Accounts", "Учётные записи", "Есептік жазбалар"),
    "nav.api": ("API", "API", "API"),
    "nav.language": ("Language", "Язык", "Тіл"),
    "nav.login": ("Sign in", "Войти", "Кіру"),
    "nav.logout": ("Sign out", "Выйти", "Шығу"),
    "nav.register": ("Register", "Регистрация", "Тіркелу"),
    "role.learner": ("Learner", "Слушатель", "Білім алушы"),
    "role.employer": ("Employer", "Работодатель", "Жұмыс беруші"),
    "role.ministry": ("Ministry", "Министерство", "Министрлік"),
    "role.admin": ("Administrator", "Администратор", "Әкімші"),
    "home.title": ("Find the job your skills fit — and the courses that close the gap",
                   "Найдите работу по своим навыкам и курсы, которые закроют пробелы",
                   "Дағдыларыңызға сай жұмысты және олқылықты жабатын курстарды табыңыз"),
    "home.lead": ("For learners of AI-Sana and Tomorrow School, employers and the labour ministry.",
                  "Для слушателей AI-Sana и Tomorrow School, работодателей и министерства труда.",
                  "AI-Sana мен Tomorrow School білім алушыларына, жұмыс берушілерге және "
                  "еңбек министрлігіне арналған."),
    "home.learner": ("I am a learner", "Я слушатель", "Мен білім алушымын"),
    "home.employer": ("I am an employer", "Я работодатель", "Мен жұмыс берушімін"),
    "home.jobs_title": ("Jobs that fit", "Подходящие вакансии", "Сәйкес жұмыстар"),
    "home.jobs_text": ("Every recommendation shows the skills you have and the ones you miss.",
                       "Каждая рекомендация показывает, какие навыки у вас есть и каких "
                       "не хватает.",
                       "Әр ұсыныс сізде бар және жетпейтін дағдыларды көрсетеді."),
    "home.path_title": ("A retraining path", "Путь переобучения", "Қайта даярлау жолы"),
    "home.path_text": ("The fewest course hours to the job you want, in the right order.",
                       "Минимум учебных часов до желаемой работы, в правильном порядке.",
                       "Қалаған жұмысқа дейін ең аз оқу сағаты, дұрыс ретпен."),
    "home.employers_title": ("Candidates for employers", "Кандидаты для работодателей",
                             "Жұмыс берушілерге үміткерлер"),
    "home.employers_text": ("Ready candidates and those a few courses away, with explanations.",
                            "Готовые кандидаты и те, кому осталось несколько курсов, "
                            "с объяснением.",
                            "Дайын үміткерлер және бірнеше курс қалғандар, түсіндірмесімен."),
    "field.email": ("Email", "Эл. почта", "Эл. пошта"),
    "field.password": ("Password", "Пароль", "Құпиясөз"),
    "field.name": ("Full name", "ФИО", "Аты-жөні"),
    "field.company": ("Company name", "Название компании", "Компания атауы"),
    "field.bin": ("BIN", "БИН", "БСН"),
    "field.sector": ("Sector", "Отрасль", "Сала"),
    "field.region": ("Region", "Регион", "Өңір"),
    "field.programme": ("Programme", "Программа", "Бағдарлама"),
    "field.cv_text": ("About me / CV", "О себе / резюме", "Өзім туралы / түйіндеме"),
    "programme.ai-sana": ("AI-Sana", "AI-Sana", "AI-Sana"),
    "programme.tomorrow-school": ("Tomorrow School", "Tomorrow School", "Tomorrow School"),
    "programme.other": ("Other programme", "Другая программа", "Басқа бағдарлама"),
    "field.consent": ("Employers may find my profile (without my name and contacts)",
                      "Работодатели могут найти мой профиль (без имени и контактов)",
                      "Жұмыс берушілер менің профилімді таба алады (атым мен байланыссыз)"),
    "field.remote": ("Remote", "Удалённо", "Қашықтан"),
    "field.salary_min": ("Salary from, ₸", "Зарплата от, ₸", "Жалақы, ₸ бастап"),
    "field.salary_max": ("Salary to, ₸", "Зарплата до, ₸", "Жалақы, ₸ дейін"),
    "field.salary": ("Salary", "Зарплата", "Жалақы"),
    "field.title": ("Job title", "Должность", "Лауазым"),
    "field.description": ("Description", "Описание", "Сипаттама"),
    "field.requirements": ("Requirements", "Требования", "Талаптар"),
    "field.employment_type": ("Employment", "Занятость", "Жұмыспен қамту түрі"),
    "field.status": ("Status", "Статус", "Мәртебе"),
    "field.vacancy": ("Vacancy", "Вакансия", "Бос орын"),
    "field.course": ("Course", "Курс", "Курс"),
    "field.date": ("Date", "Дата", "Күні"),
    "field.candidate": ("Candidate", "Кандидат", "Үміткер"),
    "field.role": ("Role", "Роль", "Рөл"),
    "field.profile": ("Profile", "Профиль", "Профиль"),
    "action.save": ("Save", "Сохранить", "Сақтау"),
    "action.filter": ("Apply filters", "Применить", "Сүзу"),
    "login.title": ("Sign in", "Вход", "Кіру"),
    "login.submit": ("Sign in", "Войти", "Кіру"),
    "login.failed": ("Wrong email or password.", "Неверная почта или пароль.",
                     "Пошта немесе құпиясөз қате."),
    "login.no_account": ("No account yet?", "Ещё нет учётной записи?", "Әлі тіркелмегенсіз бе?"),
    "indexing.banner": (
        "Matching is still learning the catalogue ({done} of {total} changes read): "
        "recommendations and candidate lists may be incomplete for a few minutes.",
        "Подбор ещё изучает каталог (прочитано {done} из {total} изменений): "
        "рекомендации и списки кандидатов могут быть неполными несколько минут.",
        "Іріктеу каталогты әлі оқып жатыр ({total} өзгерістің {done} оқылды): "
        "ұсыныстар мен үміткерлер тізімі бірнеше минут толық болмауы мүмкін.",
    ),
    "login.too_many": ("Too many failed sign-in attempts. Try again in {seconds} s.",
                       "Слишком много неудачных попыток входа. Повторите через {seconds} с.",
                       "Кіру әрекеттері тым көп рет сәтсіз болды. {seconds} с кейін қайталаңыз."),
    "register.title": ("Create an account", "Создать учётную запись", "Есептік жазба ашу"),
    "register.submit": ("Create account", "Зарегистрироваться", "Тіркелу"),
    "register.password_hint": ("at least 8 characters", "не менее 8 символов",
                               "кемінде 8 таңба"),
    "register.bin_hint": ("12 digits", "12 цифр", "12 сан"),
    "register.cv_hint": ("skills are found in this text; you can reject any",
                         "навыки извлекаются из этого текста; любой можно отклонить",
                         "дағдылар осы мәтіннен алынады; кез келгенін қабылдамауға болады"),
    "register.password_short": ("The password needs at least 8 characters.",
                                "Пароль должен содержать не менее 8 символов.",
                                "Құпиясөз кемінде 8 таңбадан тұруы керек."),
    "register.email_invalid": ("Enter a valid email address.", "Введите корректный адрес почты.",
                               "Дұрыс пошта мекенжайын енгізіңіз."),
    "register.done": ("Welcome to Qabilet!", "Добро пожаловать в Qabilet!",
                      "Qabilet-ке қош келдіңіз!"),
    "profile.title": ("My profile", "Мой профиль", "Менің профилім"),
    "profile.edit": ("Edit profile", "Изменить профиль", "Профильді өзгерту"),
    "profile.saved": ("Profile saved.", "Профиль сохранён.", "Профиль сақталды."),
    "skills.title": ("My skills", "Мои навыки", "Менің дағдыларым"),
    "skills.hint": ("Skills found in your CV show the sentence they come from. Reject any that "
                    "are wrong: they will not come back.",
                    "Для навыков из резюме показано предложение-основание. Отклоните неверные — "
                    "они больше не появятся.",
                    "Түйіндемеден алынған дағдылардың дәлел сөйлемі көрсетілген. Қателерін "
                    "қабылдамаңыз — олар қайта шықпайды."),
    "skills.skill": ("Skill", "Навык", "Дағды"),
    "skills.source": ("Source", "Источник", "Дереккөз"),
    "skills.evidence": ("Evidence", "Основание", "Дәлел"),
    "skills.level": ("level", "уровень", "деңгей"),
    "skills.reject": ("Reject", "Отклонить", "Қабылдамау"),
    "skills.reject_hint": ("This is not my skill", "Это не мой навык", "Бұл менің дағдым емес"),
    "skills.none": ("No skills yet: add a CV text below.",
                    "Навыков пока нет: добавьте текст резюме ниже.",
                    "Әзірге дағдылар жоқ: төменде түйіндеме мәтінін қосыңыз."),
    "skills.pending": ("Skills from your CV appear here about a minute after you save it. If "
                       "none appear, describe your experience and tools in more detail.",
                       "Навыки из резюме появляются здесь примерно через минуту после "
                       "сохранения. Если их нет, опишите опыт и инструменты подробнее.",
                       "Түйіндемедегі дағдылар сақтағаннан кейін шамамен бір минутта осында "
                       "шығады. Шықпаса, тәжірибеңіз бен құралдарыңызды толығырақ сипаттаңыз."),
    "skills.rejected": ("Skill rejected: {label}", "Навык отклонён: {label}",
                        "Дағды қабылданбады: {label}"),
    "skills.rejected_count": ("{n} rejected skill(s) will not be suggested again.",
                              "Отклонённых навыков: {n}; они больше не будут предложены.",
                              "Қабылданбаған дағдылар: {n}; олар қайта ұсынылмайды."),
    "source.self": ("stated by me", "указан мной", "өзім көрсеттім"),
    "source.course": ("from a course", "из курса", "курстан"),
    "source.extracted": ("found in CV", "найден в резюме", "түйіндемеден табылды"),
    "jobs.title": ("Jobs for me", "Вакансии для меня", "Маған арналған жұмыстар"),
    "jobs.matched": ("Skills you have", "Ваши навыки", "Сіздегі дағдылар"),
    "jobs.missing": ("Skills to learn", "Не хватает", "Үйрену керек"),
    "jobs.apply": ("Apply", "Откликнуться", "Өтінім беру"),
    "jobs.path": ("Retraining path", "Путь переобучения", "Қайта даярлау жолы"),
    "jobs.none": ("No recommendations yet: add skills or a CV to your profile.",
                  "Рекомендаций пока нет: добавьте навыки или резюме в профиль.",
                  "Әзірге ұсыныстар жоқ: профильге дағдылар немесе түйіндеме қосыңыз."),
    "jobs.pending": ("Your profile is being analysed: recommendations appear within a few "
                     "minutes. Refresh this page later.",
                     "Профиль анализируется: рекомендации появятся в течение нескольких минут. "
                     "Обновите страницу позже.",
                     "Профиліңіз талдануда: ұсыныстар бірнеше минутта шығады. Бетті кейінірек "
                     "жаңартыңыз."),
    "jobs.score_hint": ("How well this fits", "Насколько подходит", "Қаншалықты сәйкес"),
    "jobs.parts": ("similarity {similarity}% · skill coverage {coverage}%",
                   "сходство {similarity}% · покрытие навыков {coverage}%",
                   "ұқсастық {similarity}% · дағдыларды қамту {coverage}%"),
    "path.title": ("Retraining path", "Путь переобучения", "Қайта даярлау жолы"),
    "path.target": ("Goal", "Цель", "Мақсат"),
    "path.missing": ("Skills you miss", "Недостающие навыки", "Жетпейтін дағдылар"),
    "path.uncoverable": ("No course teaches these yet:", "Этому пока не учит ни один курс:",
                         "Бұларды әзірге ешбір курс үйретпейді:"),
    "path.courses": ("Courses, in order", "Курсы по порядку", "Курстар ретімен"),
    "path.total_hours": ("{hours} hours in total", "всего {hours} ч", "барлығы {hours} сағ"),
    "path.hours": ("h", "ч", "сағ"),
    "path.covers": ("Teaches", "Даёт навыки", "Үйретеді"),
    "path.whatif": ("What if: +{n} vacancies open up ({total} within reach)",
                    "Что если: откроется ещё {n} вакансий (всего доступно {total})",
                    "Егер өтсеңіз: тағы {n} бос орын ашылады (барлығы {total})"),
    "path.enrol": ("Enrol", "Записаться", "Жазылу"),
    "path.none": ("Nothing to learn: you already have what this needs.",
                  "Учиться нечему: у вас уже есть всё необходимое.",
                  "Үйренетін ештеңе жоқ: сізде қажеттінің бәрі бар."),
    "path.pending": ("This path is not ready yet: the vacancy or your profile is still being "
                     "analysed. Refresh this page in a few minutes.",
                     "Путь ещё не готов: вакансия или ваш профиль пока анализируются. Обновите "
                     "страницу через несколько минут.",
                     "Жол әлі дайын емес: бос орын немесе профиліңіз әлі талдануда. Бетті "
                     "бірнеше минуттан кейін жаңартыңыз."),
    "path.no_target": ("Choose a vacancy or an occupation first.",
                       "Сначала выберите вакансию или профессию.",
                       "Алдымен бос орынды немесе кәсіпті таңдаңыз."),
    "apply.done": ("Application sent.", "Отклик отправлен.", "Өтінім жіберілді."),
    "enrol.done": ("You are enrolled.", "Вы записаны на курс.", "Сіз курсқа жазылдыңыз."),
    "enrol.dropped": ("You left the course.", "Вы покинули курс.", "Сіз курстан шықтыңыз."),
    "enrol.drop": ("Leave", "Покинуть", "Шығу"),
    "activity.title": ("Applications and courses", "Отклики и курсы", "Өтінімдер мен курстар"),
    "activity.applications": ("My applications", "Мои отклики", "Менің өтінімдерім"),
    "activity.enrolments": ("My courses", "Мои курсы", "Менің курстарым"),
    "activity.no_applications": ("No applications yet.", "Откликов пока нет.",
                                 "Әзірге өтінімдер жоқ."),
    "activity.no_enrolments": ("No courses yet.", "Курсов пока нет.", "Әзірге курстар жоқ."),
    "enrolment.enrolled": ("enrolled", "записан", "жазылды"),
    "enrolment.completed": ("completed", "завершён", "аяқталды"),
    "enrolment.dropped": ("left", "покинут", "тасталды"),
    "status.applied": ("applied", "отклик", "өтінім берілді"),
    "status.interview": ("interview", "собеседование", "сұхбат"),
    "status.offer": ("offer", "предложение", "ұсыныс"),
    "status.hired": ("hired", "принят", "жұмысқа алынды"),
    "status.rejected": ("rejected", "отказ", "бас тарту"),
    "employer.title": ("My vacancies", "Мои вакансии", "Менің бос орындарым"),
    "employer.no_vacancies": ("No vacancies yet.", "Вакансий пока нет.", "Әзірге бос орындар жоқ."),
    "employment.full": ("full-time", "полная", "толық"),
    "employment.part": ("part-time", "частичная", "жартылай"),
    "employment.project": ("project", "проектная", "жобалық"),
    "employment.internship": ("internship", "стажировка", "тағылымдама"),
    "employment.volunteer": ("volunteer", "волонтёрство", "еріктілік"),
    "vacancy.open": ("open", "открыта", "ашық"),
    "vacancy.closed": ("closed", "закрыта", "жабық"),
    "vacancy.preview": ("Preview skills", "Показать навыки", "Дағдыларды көрсету"),
    "vacancy.save": ("Save vacancy", "Сохранить вакансию", "Бос орынды сақтау"),
    "vacancy.saved": ("Vacancy posted.", "Вакансия опубликована.", "Бос орын жарияланды."),
    "vacancy.close": ("Close vacancy", "Закрыть вакансию", "Бос орынды жабу"),
    "vacancy.extracted": ("Skills found in the text", "Навыки, найденные в тексте",
                          "Мәтіннен табылған дағдылар"),
    "vacancy.extracted_hint": ("Only confident guesses start ticked: check the list, tick what "
                               "belongs and mark the essential skills.",
                               "Отмечены только уверенно найденные навыки: проверьте список, "
                               "отметьте нужные и обязательные.",
                               "Тек сенімді табылған дағдылар белгіленген: тізімді тексеріп, "
                               "қажеттері мен міндеттілерін белгілеңіз."),
    "vacancy.essential": ("essential", "обязательный", "міндетті"),
    "vacancy.nothing_extracted": ("No skills were found; add detail to the description.",
                                  "Навыки не найдены; опишите вакансию подробнее.",
                                  "Дағдылар табылмады; сипаттаманы толықтырыңыз."),
    "applications.title": ("Applications", "Отклики", "Өтінімдер"),
    "applications.move": ("Move to", "Перевести", "Ауыстыру"),
    "applications.none": ("No applications yet.", "Откликов пока нет.", "Әзірге өтінімдер жоқ."),
    "application.moved": ("Application moved to: {status}", "Отклик переведён: {status}",
                          "Өтінім ауыстырылды: {status}"),
    "candidates.title": ("Candidates", "Кандидаты", "Үміткерлер"),
    "candidates.hint": ("Learners who agreed to be found. Names and contacts appear once they "
                        "apply.",
                        "Слушатели, согласившиеся на поиск. Имя и контакты видны после отклика.",
                        "Іздеуге келісім берген білім алушылар. Аты мен байланысы өтінімнен кейін "
                        "көрінеді."),
    "candidates.trainable": ("A few courses away", "В нескольких курсах от цели",
                             "Бірнеше курс қалды"),
    "candidates.trainable_hint": ("They miss a few essential skills that courses can teach.",
                                  "Им не хватает нескольких обязательных навыков, которым "
                                  "учат курсы.",
                                  "Оларға курстар үйрететін бірнеше міндетті дағды жетпейді."),
    "candidates.pending": ("Candidates are being matched to this vacancy; they appear within a "
                           "few minutes. Refresh this page later.",
                           "Кандидаты подбираются к вакансии и появятся в течение нескольких "
                           "минут. Обновите страницу позже.",
                           "Бос орынға үміткерлер іріктелуде, олар бірнеше минутта шығады. "
                           "Бетті кейінірек жаңартыңыз."),
    "candidates.none": ("No candidates yet.", "Кандидатов пока нет.", "Әзірге үміткерлер жоқ."),
    "candidate.anonymous": ("Candidate …{id}", "Кандидат …{id}", "Үміткер …{id}"),
    "candidate.matched": ("Required skills they have", "Есть из требуемых навыков",
                          "Талап етілген дағдылардан бары"),
    "candidate.missing": ("Required skills they lack", "Не хватает навыков",
                          "Жетпейтін дағдылар"),
    "candidate.courses": ("Courses to close the gap ({hours} h):",
                          "Курсы, чтобы закрыть пробел ({hours} ч):",
                          "Олқылықты жабатын курстар ({hours} сағ):"),
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
    "admin.title": ("Accounts", "Учётные записи", "Есептік жазбалар"),
    "admin.all": ("All", "Все", "Барлығы"),
    "admin.active": ("active", "активна", "белсенді"),
    "admin.inactive": ("deactivated", "отключена", "өшірілген"),
    "admin.activate": ("Activate", "Включить", "Қосу"),
    "admin.deactivate": ("Deactivate", "Отключить", "Өшіру"),
    "admin.changed": ("Account updated: {email}", "Учётная запись изменена: {email}",
                      "Есептік жазба өзгертілді: {email}"),
    "admin.create_hint": ("Create accounts of any role with POST /api/v1/accounts.",
                          "Учётные записи любой роли создаются через POST /api/v1/accounts.",
                          "Кез келген рөлдегі есептік жазба POST /api/v1/accounts арқылы ашылады."),
    "error.title": ("Something went wrong", "Что-то пошло не так", "Бірдеңе дұрыс болмады"),
    "error.title_401": ("Please sign in", "Войдите в систему", "Жүйеге кіріңіз"),
    "error.title_403": ("Not allowed", "Доступ запрещён", "Рұқсат жоқ"),
    "error.title_404": ("Not found", "Не найдено", "Табылмады"),
    "error.title_429": ("Too many requests", "Слишком много запросов", "Сұраныстар тым көп"),
    "error.title_503": ("Temporarily unavailable", "Временно недоступно", "Уақытша қолжетімсіз"),
    "error.title_504": ("Temporarily unavailable", "Временно недоступно", "Уақытша қолжетімсіз"),
    "error.back": ("Back to the start page", "На главную", "Басты бетке"),
    "error.generic": ("The request could not be completed.", "Запрос не выполнен.",
                      "Сұраныс орындалмады."),
    "error.role": ("This page is for another role.", "Эта страница для другой роли.",
                   "Бұл бет басқа рөлге арналған."),
    "error.no_profile": ("This account has no profile.", "У этой учётной записи нет профиля.",
                         "Бұл есептік жазбаның профилі жоқ."),
    "error.not_yours": ("This belongs to someone else.", "Это принадлежит другому.",
                        "Бұл басқа біреудікі."),
    "nav.access_log": ("Who saw my data", "Кто видел мои данные", "Деректерімді кім көрді"),
    "access.title": ("Who saw my data", "Кто видел мои данные", "Деректерімді кім көрді"),
    "access.lead": ("Every time an employer or an administrator is shown your data, it is "
                    "recorded here: who, when, what and why.",
                    "Каждый раз, когда работодателю или администратору показывают ваши данные, "
                    "это записывается здесь: кто, когда, что и зачем.",
                    "Жұмыс берушіге немесе әкімшіге деректеріңіз көрсетілген сайын бұл осында "
                    "жазылады: кім, қашан, не және не үшін."),
    "access.none": ("Nobody else has been shown your data yet.",
                    "Пока никому другому ваши данные не показывались.",
                    "Әзірге деректеріңіз басқа ешкімге көрсетілген жоқ."),
    "access.total": ("Records: {total}", "Записей: {total}", "Жазбалар: {total}"),
    "access.when": ("When (UTC)", "Когда (UTC)", "Қашан (UTC)"),
    "access.who": ("Who", "Кто", "Кім"),
    "access.what": ("What", "Что", "Не"),
    "access.fields": ("Data shown", "Показанные данные", "Көрсетілген деректер"),
    "access.why": ("Why", "Зачем", "Не үшін"),
    "access.vacancy": ("vacancy «{title}»", "вакансия «{title}»", "«{title}» бос орны"),
    "access.administration": ("administration", "администрирование", "әкімшілік"),
    "access.older": ("Older", "Раньше", "Ертерек"),
    "access.newer": ("Newer", "Позже", "Кейінірек"),
    "access.kind.profile": ("opened your profile", "открыл ваш профиль", "профиліңізді ашты"),
    "access.kind.list": ("saw you in the list of learners", "видел вас в списке слушателей",
                         "сізді білім алушылар тізімінен көрді"),
    "access.kind.candidate": ("saw you among the candidates", "видел вас среди кандидатов",
                              "сізді үміткерлер арасынан көрді"),
    "access.kind.application": ("read your application", "прочитал ваш отклик",
                                "өтініміңізді оқыды"),
    "access.kind.enrolment": ("read your course enrolments", "просмотрел ваши записи на курсы",
                              "курстарға жазылуларыңызды қарады"),
    "access.kind.record": ("read your records", "просмотрел ваши записи", "жазбаларыңызды қарады"),
    "access.kind.access-log": ("exported this log", "выгрузил этот журнал", "осы журналды жүктеді"),
    "access.field.name": ("name", "ФИО", "аты-жөні"),
    "access.field.email": ("email", "эл. почта", "эл. пошта"),
    "access.field.cv_text": ("CV", "резюме", "түйіндеме"),
    "access.field.skills": ("skills", "навыки", "дағдылар"),
    "access.field.matched_skills": ("matching skills", "подходящие навыки", "сәйкес дағдылар"),
    "access.field.missing_skills": ("missing skills", "недостающие навыки", "жетпейтін дағдылар"),
    "access.field.region": ("region", "регион", "өңір"),
    "access.field.programme": ("programme", "программа", "бағдарлама"),
    "access.field.languages": ("languages", "языки", "тілдер"),
    "access.field.cover_letter": ("cover letter", "сопроводительное письмо", "ілеспе хат"),
    "access.field.consent": ("consent", "согласие", "келісім"),
    "access.field.outcomes": ("employment outcomes", "трудоустройство", "жұмысқа орналасу"),
    "access.field.access_log": ("access log", "журнал доступа", "кіру журналы"),
}  # fmt: skip
# The employer, ministry, admin and error pages' text lives in its own module.
MESSAGES.update(STAFF_MESSAGES)
# The learner pages' text, and every message whose words agree with a number.
MESSAGES.update(LEARNER_MESSAGES)
#: key -> language -> CLDR plural category ("one", "few", "many", "other") -> text
PLURALS: dict[str, dict[str, dict[str, str]]] = dict(LEARNER_PLURALS)

_INDEX = {"en": 0, "ru": 1, "kk": 2}


def translate(lang: str, key: str, **values: Any) -> str:
    """Return the message ``key`` in ``lang`` (English, then the key itself, as fallbacks)."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry[_INDEX.get(lang, 0)] or entry[0]
    return text.format(**values) if values else text


def plural_category(lang: str, n: int) -> str:
    """Return the CLDR plural category of the whole number ``n`` in ``lang``.

    Russian: one (1, 21, 101…), few (2-4, 22-24…), many (0, 5-20, 25-30…). English: one (1).
    Kazakh distinguishes one and other, but a noun after a numeral stays singular, so its
    texts are usually the same in both.
    """
    n = abs(int(n))
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"


def translate_plural(lang: str, key: str, n: int, **values: Any) -> str:
    """Return the message ``key`` agreeing with the number ``n`` (given to it as ``{n}``)."""
    forms = PLURALS.get(key)
    if forms is None:
        return translate(lang, key, n=n, **values)
    by_form = forms.get(lang) or forms["en"]
    text = (
        by_form.get(plural_category(lang, n))
        or by_form.get("other")
        or next(iter(by_form.values()))
    )
    return text.format(n=n, **values)
