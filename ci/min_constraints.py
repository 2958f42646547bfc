"""Print pip constraints that pin each dependency of priorlab to its declared floor (`>=X` becomes `==X`).

Reads pyproject.toml: the core dependencies and the extras given with --extras. `make test-min` installs
with these constraints, so the floors stated in pyproject.toml are the versions that are tested. Every
dependency must state exactly one `>=` floor. Packages named with --skip are left out (torch: the Makefile
installs it from TORCH_SPEC, whose CPU wheel is local).

    python ci/min_constraints.py --extras dask,dev --skip torch > constraints.txt
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(?P<specs>[^;]*?)\s*(?P<marker>;.*)?$"
)


def canonical(name: str) -> str:
    """The normalised project name (PEP 503): 'Scikit_Learn' -> 'scikit-learn'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def floors(pyproject: Path, extras: list[str], skip: set[str]) -> dict[str, str]:
    """Map each requirement (core + extras, as 'name' or 'name; marker') to its floor version."""
    project = tomllib.loads(pyproject.read_text())["project"]
    optional = project.get("optional-dependencies", {})
    unknown = sorted(set(extras) - set(optional))
    if unknown:
        raise SystemExit(f"unknown extras {unknown}; pyproject.toml declares {sorted(optional)}")
    requirements = list(project["dependencies"]) + [r for extra in extras for r in optional[extra]]
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"cannot read the requirement {requirement!r}")
        name = canonical(match["name"])
        lower = [spec.strip()[2:].strip() for spec in match["specs"].split(",") if spec.strip().startswith(">=")]
        if len(lower) != 1:
            raise SystemExit(f"{requirement!r}: every dependency needs exactly one '>=' floor")
        if name in skip:
            continue
        key = name + (f" {match['marker']}" if match["marker"] else "")
        if pins.get(key, lower[0]) != lower[0]:
            raise SystemExit(f"{name}: two different floors ({pins[key]} and {lower[0]}); state one")
        pins[key] = lower[0]
    return pins


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extras", default="", help="comma-separated extras to include (default: none)")
    parser.add_argument("--skip", default="", help="comma-separated packages to leave out")
    parser.add_argument("--pyproject", type=Path, default=PYPROJECT)
    args = parser.parse_args(argv)
    extras = [e.strip() for e in args.extras.split(",") if e.strip()]
    skip = {canonical(s.strip()) for s in args.skip.split(",") if s.strip()}
    pins = floors(args.pyproject, extras, skip)
    included = ", ".join(["core", *extras])
    sys.stdout.write(f"# the declared floors of priorlab ({included}), from {args.pyproject.name}\n")
    for key in sorted(pins):
        name, _, marker = key.partition(" ")
        sys.stdout.write(f"{name}=={pins[key]}{marker}\n")


if __name__ == "__main__":
    main()
