#!/usr/bin/env python3
"""Checks the server's layering: each folder of server/src includes only the folders below it
(the same order the CMake targets link in), so nothing imports upward and there are no cycles.
Also checks that the web SDK imports no React and nothing of the UI. Prints what it found and
"layers check: N passed, N failed"."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# Folder -> the folders it may include. Keep in step with server/CMakeLists.txt.
ALLOWED = {
    "util": set(),
    "obs": {"util"},
    "call": {"util"},
    "auth": {"util", "call"},
    "storage": {"util", "call", "obs"},
    "bus": {"util"},
    "net": {"util", "obs", "call"},
    "service": {"util", "obs", "call", "auth", "storage", "bus"},
    "rest": {"util", "obs", "call", "auth", "storage", "service", "net"},
    "signaling": {"util", "obs", "call", "auth", "bus", "service", "net"},
    "app": {"util", "obs", "call", "auth", "storage", "bus", "net", "service", "rest", "signaling"},
}


def server_problems():
    problems = []
    src = os.path.join(ROOT, "server", "src")
    for folder in sorted(os.listdir(src)):
        if folder not in ALLOWED:
            problems.append(f"server/src/{folder}: a folder the layering does not know")
            continue
        for dirpath, _, files in os.walk(os.path.join(src, folder)):
            for name in files:
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as f:
                    for n, line in enumerate(f, 1):
                        m = re.match(r'\s*#include "([a-z_]+)/', line)
                        if m and m.group(1) != folder and m.group(1) not in ALLOWED[folder]:
                            rel = os.path.relpath(path, ROOT)
                            problems.append(f"{rel}:{n}: {folder}/ includes {m.group(1)}/")
    return problems


def allowed_has_no_cycle():
    state = {}

    def visit(node):
        if state.get(node) == "open":
            return False
        if state.get(node) == "done":
            return True
        state[node] = "open"
        ok = all(visit(dep) for dep in ALLOWED[node])
        state[node] = "done"
        return ok

    return all(visit(node) for node in ALLOWED)


def sdk_problems():
    problems = []
    sdk = os.path.join(ROOT, "web", "src", "sdk")
    for dirpath, _, files in os.walk(sdk):
        for name in files:
            if not name.endswith((".ts", ".tsx")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = re.match(r"\s*(?:import|export)\b.*from '([^']+)'", line)
                    if not m:
                        continue
                    target = m.group(1)
                    rel = os.path.relpath(path, ROOT)
                    if target == "react" or target.startswith("react-"):
                        problems.append(f"{rel}:{n}: the SDK imports {target}")
                    if re.search(r"(^|/)(components|pages|hooks|providers|app)/", target):
                        problems.append(f"{rel}:{n}: the SDK imports the UI ({target})")
    return problems


def main():
    checks = [
        ("server folders include only the folders below them", server_problems()),
        ("the allowed folder graph has no cycle", [] if allowed_has_no_cycle() else ["cycle"]),
        ("the web SDK imports no React and no UI", sdk_problems()),
    ]
    failed = 0
    for name, problems in checks:
        print(("ok   " if not problems else "FAIL ") + name)
        for p in problems:
            print("     " + p)
        failed += bool(problems)
    print(f"layers check: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
