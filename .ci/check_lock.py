"""Fail when a lock file no longer matches its requirements*.in (run by .ci/run and `make lock-check`).

Every requirement of an ``.in`` file (following its ``-r`` and ``-c``
includes) must be pinned in the lock compiled from it, at a version that
satisfies it, and every pin must carry hashes. Offline: it compares files,
it does not resolve anything again (``make lock`` does).
"""

import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"requirements.in": "requirements.txt", "requirements-dev.in": "requirements-dev.txt"}
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)")


def requirements_of(path: Path) -> list[Requirement]:
    found = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "-c ")):
            include = path.parent / line[3:].strip()
            if line.startswith("-r "):
                found += requirements_of(include)
            continue
        found.append(Requirement(line))
    return found


def pins_of(path: Path) -> dict[str, tuple[str, bool]]:
    """{name: (version, hashed)} of a compiled lock."""
    pins, current = {}, None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), False)
        elif current and line.strip().startswith("--hash=sha256:"):
            pins[current] = (pins[current][0], True)
    return pins


def main() -> int:
    problems = []
    for source, lock in LOCKS.items():
        pins = pins_of(ROOT / lock)
        for requirement in requirements_of(ROOT / source):
            name = canonicalize_name(requirement.name)
            if name not in pins:
                problems.append(f"{lock}: {requirement.name} is in {source} but not pinned")
            elif not requirement.specifier.contains(pins[name][0], prereleases=True):
                problems.append(f"{lock}: {requirement.name}=={pins[name][0]} does not satisfy {requirement}")
        problems += [f"{lock}: {name} has no hashes" for name, (_, hashed) in pins.items() if not hashed]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("Run `make lock` and commit the lock files.", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
