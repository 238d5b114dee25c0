"""Reads the circular of the 2012 plan as extracted from its PDF, undoing the extraction's page breaks.

The tests derive their expectations from this text rather than from the fixture, so that a fixture
that drifts from the circular fails.
"""

import re
from functools import cache
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seed"

_TERMINAL = (".", ";", ":", "!", "?", ")", "”", '"')
_HEADING_MAX = 100  # headings are short; a longer unterminated line was cut by a page break


def seed_path() -> Path:
    files = sorted(SEED_DIR.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no circular text in {SEED_DIR}")
    return files[0]


@cache
def paragraphs() -> tuple[str, ...]:
    """The circular as paragraphs, with words hyphenated across a page break joined again."""
    lines = [line.strip() for line in seed_path().read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    result: list[str] = []
    for line in lines:
        if result:
            previous = result[-1]
            if previous.endswith("-") and line[:1].islower():
                result[-1] = previous[:-1] + line
                continue
            if not previous.endswith(_TERMINAL) and (
                line[:1].islower() or previous.endswith(",") or len(previous) > _HEADING_MAX
            ):
                result[-1] = f"{previous} {line}"
                continue
        result.append(line)
    # The extraction marks italics (document titles) with asterisks: formatting, not letters.
    return tuple(re.sub(r"\*([^*]+)\*", r"\1", p) for p in result)


# --- The plan's structure, as the circular words it --------------------------------------------------------------

PROGRAM_HEADING = re.compile(r'^([IVX]+)\. [“"](.+)[”"] Program$')
WORK_ITEM = re.compile(r"^(\d+)\. (.*) \(([^()]+)\)$")  # the closing parenthesis lists the departments
TEAM = re.compile(r"^(?:The )?(.+?) takes? the lead[,;] and the participants? (?:are|is) (?:the )?(.+)\.$")
ALL_OFFICES = (
    "IP offices of provinces, autonomous regions and municipalities directly under the Central Government "
    "and Xinjiang Production and Construction Corps participate in Work Items "
)
CONDITIONAL = re.compile(
    r"^IP offices of provinces, autonomous regions and municipalities directly under the Central Government "
    r"(where .+) participate in Work Item (\d+)[.;]$"
)
LISTED = re.compile(r"^IP offices of (.+) participate in Work Item (\d+)[.;]$")
SINGLE = re.compile(r"^(\w+) IP Office participates in Work Item (\d+)\.$")
NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def split_departments(text: str) -> list[str]:
    """'A, B and C Department' -> names; 'and' separates two names only after a body's closing word."""
    names = []
    for piece in text.split(", "):
        names.extend(re.split(r"(?:(?<=Department)|(?<=Association)|(?<=Board)|(?<=Center)) and (?=[A-Z])", piece))
    return names


def split_offices(text: str) -> list[str]:
    *head, last = text.split(", ")
    return head + last.split(" and ")


@cache
def programs() -> list[dict]:
    """The 10 programs with their objective, team, work items and office participation, read off the text."""
    result: list[dict] = []
    section = None
    for paragraph in paragraphs():
        if match := PROGRAM_HEADING.match(paragraph):
            result.append({"numeral": match[1], "number": len(result) + 1, "name": match[2], "items": {}})
            section = None
            continue
        if not result:
            continue
        program = result[-1]
        if paragraph in {"(I) Objective", "(II) Content", "(III) Members of Program Team"}:
            section = paragraph
        elif section == "(I) Objective":
            program["objective"] = paragraph
        elif section == "(II) Content":
            match = WORK_ITEM.match(paragraph)
            assert match, paragraph
            number, text, departments = int(match[1]), match[2], match[3]
            program["items"][number] = {
                "number": number,
                "title": text.split(". ")[0],
                "text": text,
                "departments": split_departments(departments),
                "office_scope": "none",
                "offices": [],
                "office_condition": "",
            }
        elif section == "(III) Members of Program Team":
            _read_team_paragraph(program, paragraph)
    return result


def _read_team_paragraph(program: dict, paragraph: str):
    items = program["items"]
    if match := TEAM.match(paragraph):
        program["lead"] = split_departments(match[1])
        program["participants"] = split_departments(match[2])
    elif paragraph.startswith(ALL_OFFICES):
        for number in split_offices(paragraph[len(ALL_OFFICES) :].rstrip(".;")):
            items[int(number)]["office_scope"] = "all"
    elif match := CONDITIONAL.match(paragraph):
        items[int(match[2])].update(office_scope="conditional", office_condition=match[1])
    elif match := LISTED.match(paragraph) or SINGLE.match(paragraph):
        items[int(match[2])].update(office_scope="listed", offices=split_offices(match[1]))
    else:
        raise AssertionError(f"unrecognised team paragraph: {paragraph}")


def office_work_items(office: str) -> tuple[set[str], set[str]]:
    """The codes ("II.3") of the work items the circular has the office take part in (all offices, or the office
    listed), and of those open to offices on a condition the circular does not settle office by office (VI.3)."""
    named, conditional = set(), set()
    for program in programs():
        for number, item in program["items"].items():
            code = f"{program['numeral']}.{number}"
            if item["office_scope"] == "all" or office in item["offices"]:
                named.add(code)
            elif item["office_scope"] == "conditional":
                conditional.add(code)
    return named, conditional
