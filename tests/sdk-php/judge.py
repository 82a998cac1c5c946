"""Reads phpunit's JUnit report and fails on any failure or error not named in the known list.

The known list names `Class::test` per line, then ` # ` and the reason; blank lines and lines
starting with `#` are comments. A named case that passes is reported, so the list can shrink.
"""

import sys
import xml.etree.ElementTree as ET


def known_cases(path):
    known = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" # ")
            known[name.strip()] = reason.strip()
    return known


def main():
    report, known_path = sys.argv[1], sys.argv[2]
    known = known_cases(known_path)
    total = passed = skipped = 0
    unexpected, expected = [], []
    failed_names = set()
    for case in ET.parse(report).iter("testcase"):
        total += 1
        cls = case.get("class") or case.get("classname") or ""
        short = cls.replace("\\", ".").rsplit(".", 1)[-1]
        name = f"{short}::{case.get('name')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            if case.find("skipped") is not None:
                skipped += 1
            else:
                passed += 1
            continue
        failed_names.add(name)
        message = (problem.get("message") or problem.text or "").strip().splitlines()
        first = message[0] if message else problem.tag
        if name in known:
            expected.append(f"  {name}: {known[name]}")
        else:
            unexpected.append(f"  {name}: {first[:300]}")
    print(f"PHP SDK suite: {total} tests, {passed} passed, {skipped} skipped, "
          f"{len(expected)} known failures, {len(unexpected)} unexpected failures")
    if expected:
        print("known failures (tests/sdk-php/known-failures.txt):")
        print("\n".join(expected))
    now_passing = sorted(set(known) - failed_names)
    if now_passing:
        print("named as known failures but passed here (remove them when they pass for good):")
        print("\n".join(f"  {n}" for n in now_passing))
    if unexpected:
        print("UNEXPECTED failures:")
        print("\n".join(unexpected))
        return 1
    if total == 0:
        print("no test ran")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
