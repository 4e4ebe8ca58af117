"""O*NET database text files (tab-delimited): occupations become roles with weighted skills.

`Occupation Data.txt` gives each occupation's code, title and description; `Skills.txt` and
`Knowledge.txt` rate each occupation on each element twice: importance (`IM`, 1-5) and level
(`LV`, 0-7). An element is a skill with O*NET's level scale (levels 1-7); an occupation is a role
in the job family of its SOC major group, requiring every element whose importance is at least
IMPORTANT, at its level rounded to a whole level, weighted by its importance. The scaling is
stated in docs/interop.md.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lti_pathing.interop.framework import Framework, Item, Level
from lti_pathing.interop.text import Unreadable, decode, records
from lti_pathing.services.transfer.reader import Problem

SOURCE = "onet"
OCCUPATIONS = "Occupation Data.txt"
RATED = {"Skills.txt": "Skills", "Knowledge.txt": "Knowledge"}  # file -> category
RATING_COLUMNS = ("O*NET-SOC Code", "Element ID", "Element Name", "Scale ID", "Data Value")
IMPORTANT = Decimal(3)  # O*NET's importance scale: 3 = "Important"
TOP = 7  # O*NET's level scale runs 0-7
# SOC 2018 major groups (the first two digits of an O*NET-SOC code).
MAJOR_GROUPS = {
    "11": "Management", "13": "Business and Financial Operations",
    "15": "Computer and Mathematical", "17": "Architecture and Engineering",
    "19": "Life, Physical, and Social Science", "21": "Community and Social Service",
    "23": "Legal", "25": "Educational Instruction and Library",
    "27": "Arts, Design, Entertainment, Sports, and Media",
    "29": "Healthcare Practitioners and Technical", "31": "Healthcare Support",
    "33": "Protective Service", "35": "Food Preparation and Serving Related",
    "37": "Building and Grounds Cleaning and Maintenance", "39": "Personal Care and Service",
    "41": "Sales and Related", "43": "Office and Administrative Support",
    "45": "Farming, Fishing, and Forestry", "47": "Construction and Extraction",
    "49": "Installation, Maintenance, and Repair", "51": "Production",
    "53": "Transportation and Material Moving", "55": "Military Specific",
}  # fmt: skip
LABELS = {"roles": {"title": "Title", "description": "Description", "id": "O*NET-SOC Code"},
          "skills": {"name": "Element Name", "id": "Element ID"},
          "role_skills": {"level": "Data Value", "weight": "Data Value"}}  # fmt: skip


def looks_like(names: list[str]) -> bool:
    """Whether a set of file names is an O*NET database extract."""
    return any(name.rsplit("/", 1)[-1] == OCCUPATIONS for name in names)


def read_files(name: str, files: dict[str, bytes]) -> Framework:
    """Occupations, skills and knowledge of the O*NET files in `files` (by base name)."""
    found = Framework(name, SOURCE, LABELS, retire_vanished=False)
    by_base = {path.rsplit("/", 1)[-1]: data for path, data in files.items()}
    if OCCUPATIONS not in by_base:
        found.problem(None, None, f"{OCCUPATIONS} is missing")
        return found
    rated = [base for base in RATED if base in by_base]
    if not rated:
        found.problem(None, None, "Skills.txt or Knowledge.txt is needed")
        return found
    try:
        roles = _occupations(found, decode(OCCUPATIONS, by_base[OCCUPATIONS]))
        for base in rated:
            _ratings(found, base, decode(base, by_base[base]), roles)
    except Unreadable as error:
        found.problems += error.problems
        return found
    _finish(found, roles)
    return found


Rows = list[tuple[int, dict[str, str]]]


def _rows(found: Framework, file: str, text: str, columns: tuple[str, ...]) -> Rows:
    """(line, the named cells) of a tab-delimited file whose header names `columns`."""
    header = text.split("\n", 1)[0].rstrip("\r").split("\t")
    missing = [column for column in columns if column not in header]
    for column in missing:
        found.problems.append(Problem(file, "required column is missing", row=1, column=column))
    if missing:
        return []
    index = {column: header.index(column) for column in columns}
    rows = []
    for line, cells in records(file, text, delimiter="\t"):
        if any(cells):
            rows.append((line, {c: cells[i] if i < len(cells) else "" for c, i in index.items()}))
    return rows


def _occupations(found: Framework, text: str) -> dict[str, Item]:
    """O*NET-SOC code -> its role, and one job family per SOC major group."""
    roles: dict[str, Item] = {}
    for line, row in _rows(found, OCCUPATIONS, text, ("O*NET-SOC Code", "Title", "Description")):
        code, title = row["O*NET-SOC Code"], row["Title"]
        major = code[:2]
        if major not in MAJOR_GROUPS or not title:
            message = f"{code!r} is not an O*NET-SOC code" if major not in MAJOR_GROUPS else (
                "required value is empty")  # fmt: skip
            column = "O*NET-SOC Code" if major not in MAJOR_GROUPS else "Title"
            found.problems.append(Problem(OCCUPATIONS, message, row=line, column=column))
            continue
        management = major == "11"
        roles[code] = Item("role", code, title, line, description=row["Description"] or None,
                           note=f"O*NET occupation '{title}' ({code})",
                           extra={"family": f"onet-{major}",
                                  "track": "management" if management else "individual",
                                  "level": "manager" if management else "mid",
                                  "level_rank": "3" if management else "2"})  # fmt: skip
    return roles


def _ratings(found: Framework, file: str, text: str, roles: dict[str, Item]) -> None:
    """Each (occupation, element)'s importance and level, checked; elements become skills."""
    ratings: dict[tuple[str, str], dict[str, Decimal]] = {}
    for line, row in _rows(found, file, text, RATING_COLUMNS):
        code, element, scale = row["O*NET-SOC Code"], row["Element ID"], row["Scale ID"]
        if row.get("Recommend Suppress") == "Y" or (
            scale == "LV" and row.get("Not Relevant") == "Y"
        ):
            continue
        try:
            value = Decimal(row["Data Value"])
        except InvalidOperation:
            found.problems.append(Problem(file, f"{row['Data Value']!r} is not a number",
                                          row=line, column="Data Value"))  # fmt: skip
            continue
        if code not in roles:
            found.problems.append(Problem(file, f"{code!r} is not in {OCCUPATIONS}", row=line,
                                          column="O*NET-SOC Code"))  # fmt: skip
            continue
        ratings.setdefault((code, element), {})[scale] = value
        _element(found, RATED[file], element, row["Element Name"], line)
    for (code, element), scales in ratings.items():
        importance, level = scales.get("IM"), scales.get("LV")
        if importance is None or level is None or importance < IMPORTANT:
            continue
        whole = int(level.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        weight = importance.quantize(Decimal("0.01"))
        roles[code].required.append((element, max(1, min(TOP, whole)), str(weight)))


def _element(found: Framework, category: str, element: str, name: str, line: int) -> None:
    if any(item.kind == "skill" and item.source_id == element for item in found.items):
        return
    levels = [Level(f"O*NET level {n}", str(n)) for n in range(1, TOP + 1)]
    found.items.append(Item("skill", element, name, line, category=category, levels=levels,
                            note=f"O*NET element '{name}' ({element})"))  # fmt: skip


def _finish(found: Framework, roles: dict[str, Item]) -> None:
    """Categories and families first, then skills and roles, each with its note."""
    skills = [item for item in found.items if item.kind == "skill"]
    categories = sorted({item.category for item in skills if item.category})
    families = sorted({role.extra["family"] for role in roles.values()})
    found.items = [Item("category", c, f"O*NET {c}", 0, note=f"O*NET {c}") for c in categories]
    found.items += [Item("family", f, f"{MAJOR_GROUPS[f[5:]]} Occupations", 0,
                         note=f"SOC major group {f[5:]}") for f in families]  # fmt: skip
    found.items += skills + list(roles.values())
    for item in found.items:
        found.notes.append(_note(item))


def _note(item: Item) -> str:
    if item.kind == "category":
        return f"{item.note} → category '{item.name}'"
    if item.kind == "family":
        return f"{item.note} → job family '{item.name}'"
    if item.kind == "skill":
        return f"{item.note} → skill '{item.name}', levels: O*NET level 1-{TOP}"
    required = ", ".join(f"{e} at {level} (weight {w})" for e, level, w in item.required)
    return f"{item.note} → role '{item.name}', requires: {required or 'nothing important'}"
