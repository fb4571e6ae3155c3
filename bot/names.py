"""People's names: who a /met names ("Priya Raman; Tom O'Brien"), and how a draft greets each.

Names are parsed with nameparser, which knows titles ("Dr."), particles ("de la Cruz") and
suffixes ("Jr."). What no parser can know is which word of "Zhang Wei" is the given name: where
that is unsure, the greeting is the whole name, which is never wrong. A contact whose name the
student didn't catch ("a recruiter", "HR team", "booth staff") is greeted as the company's team.
"""

from __future__ import annotations

import re

from nameparser import HumanName

__all__ = [
    "PANEL_LIMIT",
    "UNNAMED",
    "greeting_name",
    "is_unnamed",
    "name_forms",
    "names_phrase",
    "people_phrase",
    "split_people",
    "team_greeting",
]

# Who a /met with no name met: greeted as the company's team.
UNNAMED = "someone"

# A panel or a fair table rarely seats more; more names than this are a typing slip.
PANEL_LIMIT = 6

# Between names: a semicolon, "and" or "&" ("Jane Doe and Bob Lee", "Priya; Tom"); a slash is
# more often one contact's ("HR/Recruiting").
_BETWEEN = re.compile(r"\s*;\s*|\s+(?:and|&)\s+", re.IGNORECASE)


def split_people(text: str) -> list[str]:
    """The people in a /met's name field, each once, in the order typed. "The HR team" and
    "booth staff" are one contact each; "recruiters and engineers" stays one contact too,
    since nobody in it was named."""
    text = " ".join(text.split())
    if not text or is_unnamed(text):
        return [text] if text else []
    parts = _BETWEEN.split(text)
    if len(parts) == 1:
        return [text]
    people: list[str] = []
    for part in parts:
        part = part.strip(" ,.")
        if part and part.casefold() not in (p.casefold() for p in people):
            people.append(part)
    return people or [text]


def names_phrase(names: list[str]) -> str:
    """ "Priya Raman", "Priya Raman and Tom O'Brien", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def people_phrase(names: list[str], limit: int) -> str:
    """Everyone met, within `limit` characters: "Priya Raman and Tom O'Brien", or for a long
    list "Priya Raman, Tom O'Brien and 4 others"."""
    phrase = names_phrase(names)
    for shown in range(len(names) - 1, 0, -1):
        if len(phrase) <= limit:
            break
        rest = len(names) - shown
        phrase = f"{', '.join(names[:shown])} and {rest} other{'s' if rest > 1 else ''}"
    if len(phrase) > limit:
        return phrase[: limit - 1].rstrip() + "…"
    return phrase


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that describe someone without naming them: "a recruiter", "the HR team", "booth staff".
_ROLE_WORDS = _words(
    "a an the some someone somebody one two three few several their its his her our my "
    "recruiter recruiters recruiting recruitment hr talent acquisition people team teams "
    "staff booth table rep reps representative representatives person persons guy guys lady "
    "woman man member members employee employees engineer engineers manager managers hiring "
    "lead leads unknown anonymous name forgot forgotten unsure n/a na none nobody ? - from at "
    "of and with university campus career careers panel panelist panelists interviewer "
    "interviewers host hosts organizer organizers sponsor sponsors company alumni alumnus "
    "alumna student"
)
_HR = frozenset({"hr", "people", "talent"})
# "HR/Recruiting", "talent & people": one contact's words.
_ROLE_SPLIT = re.compile(r"[\s/&+]+")


def is_unnamed(name: str) -> bool:
    """Whether the student left the name out or only said who it was ("a recruiter")."""
    words = [w.strip(".,!?:()'’\"").casefold() for w in _ROLE_SPLIT.split(name)]
    return not any(words) or all(w in _ROLE_WORDS for w in words if w)


def team_greeting(name: str, company: str) -> str:
    """Whom to greet when nobody was named: "Acme HR team", "Acme recruiting team"."""
    words = {w.strip(".,").casefold() for w in _ROLE_SPLIT.split(name)}
    team = "HR team" if words & _HR else "recruiting team"
    return f"{company} {team}" if company else f"the {team}"


# Family names that most often come first in Chinese, Korean and Vietnamese names. A name
# starting with one could be given-name-first too (Kim Lee, Lee Smith): unsure, so the greeting
# is the whole name.
_FAMILY_FIRST = _words(
    "zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng "
    "liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du "
    "ye cheng wei su lu ding ren shen yao jin qian tan zou xiong lo ng wong chan cheung leung "
    "lam kim lee park choi jung jeong kang cho yoon yun jang lim shin seo kwon hwang ahn oh "
    "song nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly"
)
# Titles that greet with the family name ("Dr. de la Cruz"); nameparser finds them.
_GIVEN_NAME_TITLES = frozenset({"sir", "dame"})  # "Sir Ian", not "Sir McKellen"


def greeting_name(name: str) -> str:
    """How to greet someone by name: "Priya" for "Priya Raman", "Dr. de la Cruz" for "Dr. Ana
    de la Cruz", "Robert" for "J. Robert Oppenheimer", and the whole name where the given name
    is unsure ("Zhang Wei", "Kim Min-jun")."""
    name = " ".join(name.split())
    if not name:
        return name
    parsed = HumanName(name)
    title = parsed.title.strip()
    if title and title.rstrip(".").casefold() not in _GIVEN_NAME_TITLES:
        family = parsed.last or parsed.first
        return f"{title} {family}" if family else name
    words = name.split()
    given = parsed.first
    if _is_initial(given) and parsed.middle and not _is_initial(parsed.middle.split()[0]):
        given = parsed.middle.split()[0]  # "J. Robert Oppenheimer" goes by Robert
    if not given or _is_initial(given):
        return name
    if len(words) > 1 and words[0].casefold().strip(".,") in _FAMILY_FIRST:
        return name  # "Zhang Wei", "Kim Min-jun": which is the given name is unsure
    if title:
        return f"{title} {given}"
    return given


def name_forms(name: str) -> list[str]:
    """The ways a note may name someone: "Dr. Ana de la Cruz", "Ana", "de la Cruz", "Cruz",
    "Dr. de la Cruz"."""
    name = " ".join(name.split())
    if not name:
        return []
    parsed = HumanName(name)
    words = name.split()
    forms = {name, greeting_name(name), words[0], words[-1], parsed.first, parsed.last}
    if parsed.title and parsed.last:
        forms.add(f"{parsed.title} {parsed.last}")
    return [f for f in forms if f and f.casefold().strip(".") not in _ROLE_WORDS]


def _is_initial(word: str) -> bool:
    letters = word.replace(".", "")
    return len(letters) <= 1
