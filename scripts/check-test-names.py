#!/usr/bin/env python3
"""Catch2 test names must not contain ';', '[' or ']': catch_discover_tests hands them to
CMake as list items, where these characters merge test cases into one ctest entry that
runs none of them (this happened: 30 test cases ran as one entry that always passed)."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
bad = []
for p in sorted((root / "tests").glob("*.cc")):
    for m in re.finditer(r'TEST_CASE\(\s*"((?:[^"\\]|\\.)*)"', p.read_text(encoding="utf-8")):
        if re.search(r"[;\[\]]", m.group(1)):
            bad.append(f"{p.name}: {m.group(1)}")
for b in bad:
    print(b)
print(f"test names: {len(bad)} with ; [ or ]")
sys.exit(1 if bad else 0)
