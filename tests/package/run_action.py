#!/usr/bin/env python3
"""Runs a composite GitHub Action's steps in a shell, as a runner would (ctest ci_action).

    run_action.py ACTION.yml --input NAME=VALUE... --github PATH=VALUE... [--workdir DIR]

Inputs (with the action's defaults) and the github context are substituted where the action
uses expressions: `env:` values, `with:` values, `if:` conditions and outputs. A `run:`
containing `${{` is refused: that is the injection this test guards against. `run:` goes to
bash with GITHUB_ENV, GITHUB_OUTPUT, GITHUB_ACTION_PATH and GITHUB_ACTIONS=true; `uses:`
steps are listed, not run. Prints the action's outputs as JSON on the last line and exits
with the first failing step's code (0 when every step passed).
"""
import argparse, json, os, re, subprocess, sys, tempfile
import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def lookup(ctx, path):
    cur = ctx
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return ""
    return cur


def evaluate(expr, ctx):
    """The expression subset the action uses: context paths, 'literals', ==, !=, &&, always()."""
    expr = expr.strip()
    if "&&" in expr:
        return all(truthy(evaluate(p, ctx)) for p in expr.split("&&"))
    for op in ("!=", "=="):
        if op in expr:
            a, b = (evaluate(p, ctx) for p in expr.split(op, 1))
            return (str(a) == str(b)) == (op == "==")
    if expr in ("always()", "success()", "failure()"):
        return {"always()": True, "success()": not ctx["_failed"], "failure()": ctx["_failed"]}[expr]
    if expr.startswith("'") and expr.endswith("'"):
        return expr[1:-1]
    return lookup(ctx, expr)


def truthy(v):
    return v not in ("", None, False, 0, "false")


def substitute(text, ctx):
    return EXPR.sub(lambda m: str(evaluate(m.group(1), ctx)), str(text))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("action")
    ap.add_argument("--input", action="append", default=[])
    ap.add_argument("--github", action="append", default=[])
    ap.add_argument("--workdir", default=os.getcwd())
    a = ap.parse_args()
    action = yaml.safe_load(open(a.action))
    github = {}
    for kv in a.github:
        k, v = kv.split("=", 1)
        cur = github
        parts = k.split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = v
    ctx = {"github": github, "inputs": {}, "steps": {}, "_failed": False}
    given = dict(kv.split("=", 1) for kv in a.input)
    for name, spec in (action.get("inputs") or {}).items():
        if name in given:
            ctx["inputs"][name] = given.pop(name)
        elif spec.get("required"):
            sys.exit(f"run_action: input {name} is required")
        else:
            ctx["inputs"][name] = substitute(spec.get("default", ""), ctx)
    if given:
        sys.exit(f"run_action: unknown inputs {sorted(given)}")

    action_path = os.path.dirname(os.path.abspath(a.action))
    tmp = tempfile.mkdtemp(prefix="run-action-")
    env_file = os.path.join(tmp, "env")
    open(env_file, "w").close()
    first_failure = 0
    for i, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", step.get("id", f"step {i}"))
        if "run" in step and "${{" in step["run"]:
            sys.exit(f"run_action: step '{name}' interpolates an expression into its shell line")
        cond = step.get("if")
        if cond is not None and not truthy(evaluate(EXPR.sub(lambda m: m.group(1), str(cond)), ctx)):
            print(f"run_action: skipped '{name}' (if: {cond})", file=sys.stderr)
            continue
        if cond is None and ctx["_failed"]:
            print(f"run_action: skipped '{name}' (an earlier step failed)", file=sys.stderr)
            continue
        if "uses" in step:
            withs = {k: substitute(v, ctx) for k, v in (step.get("with") or {}).items()}
            print(f"run_action: would run {step['uses']} with {withs}", file=sys.stderr)
            continue
        out_file = os.path.join(tmp, f"output{i}")
        open(out_file, "w").close()
        env = dict(os.environ)
        for line in open(env_file):   # GITHUB_ENV of earlier steps (NAME=value lines)
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
        env.update({"GITHUB_ENV": env_file, "GITHUB_OUTPUT": out_file, "GITHUB_ACTION_PATH": action_path,
                    "GITHUB_ACTIONS": "true", "RUNNER_TEMP": tmp})
        for k, v in (step.get("env") or {}).items():
            env[k] = substitute(v, ctx)
        print(f"run_action: running '{name}'", file=sys.stderr)
        rc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                            cwd=a.workdir, env=env).returncode
        outputs = {}
        for line in open(out_file):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                outputs[k] = v
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": outputs, "outcome": "failure" if rc else "success"}
        if rc and not first_failure:
            first_failure = rc
            ctx["_failed"] = True
    result = {k: substitute(v.get("value", ""), ctx) for k, v in (action.get("outputs") or {}).items()}
    print(json.dumps(result))
    return first_failure


if __name__ == "__main__":
    sys.exit(main())
