#!/usr/bin/env python3
"""Layers point down only (docs/architecture.md): fails on an include that points up.

  document (document/, time/, cmdb/)  <  lang/  <  policy/, alertmanager/  <  kinds/  <  engine/  <  c_api.cc

The service (serve/, `verdict serve`) is a front end above the engine, like the CLI: it
includes only the public headers (verdict/...) and its own folder, never core/src.

A kind's folder may include the layers below it, its own folder and kinds/registry.h (its own
entry), never another kind's folder. Public headers (core/include/verdict/) include only
public headers and the standard library. Run by ctest as `layering`.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
src = root / "core" / "src"
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

RANK = {"document": 0, "time": 0, "cmdb": 0, "lang": 1, "policy": 2, "alertmanager": 2, "kinds": 3, "engine": 4, "c_api.cc": 5}


def layer_of(rel: str):
    first = rel.split("/")[0]
    return first, RANK.get(first)


problems = []
for path in sorted(src.rglob("*")):
    if path.suffix not in (".h", ".cc"):
        continue
    rel = path.relative_to(src).as_posix()
    top, rank = layer_of(rel)
    if rank is None:
        problems.append(f"core/src/{rel}: not in a known layer folder ({', '.join(RANK)})")
        continue
    for m in include.finditer(path.read_text(encoding="utf-8")):
        inc = m.group(1)
        if inc.startswith("verdict/"):
            continue  # the public headers are below everything
        itop, irank = layer_of(inc)
        if irank is None:
            problems.append(f"core/src/{rel}: includes \"{inc}\", which is in no layer")
            continue
        if irank > rank:
            problems.append(f"core/src/{rel}: includes \"{inc}\" ({itop}) from a lower layer ({top})")
        if top == "kinds" and itop == "kinds" and rel.split("/")[1] != "registry.cc" and inc != "kinds/registry.h":
            mine = rel.split("/")[1]
            theirs = inc.split("/")[1]
            if mine != theirs:
                problems.append(f"core/src/{rel}: includes another kind's \"{inc}\"")

for path in sorted((root / "core" / "include" / "verdict").glob("*.h")):
    for m in include.finditer(path.read_text(encoding="utf-8")):
        if not m.group(1).startswith("verdict/"):
            problems.append(f"core/include/verdict/{path.name}: includes the internal \"{m.group(1)}\"")

for path in sorted((root / "serve").glob("*")):
    if path.suffix not in (".h", ".cc"):
        continue
    for m in include.finditer(path.read_text(encoding="utf-8")):
        inc = m.group(1)
        if not (inc.startswith("verdict/") or inc.startswith("serve/")):
            problems.append(f"serve/{path.name}: includes \"{inc}\" (the service sees the public headers and serve/ only)")

for p in problems:
    print(p)
print(f"layering: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
