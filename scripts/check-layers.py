#!/usr/bin/env python3
"""Checks the server's layering: each folder of server/src includes only the folders below it
(the same order the CMake targets link in), so nothing imports upward and there are no cycles.
Also checks that the web SDK imports no React and nothing of the UI, and that the
adding-a-transition walk-through names only files and symbols that exist. Prints what it found and
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
    sdk = os.path.join(ROOT, "web", "packages", "client", "src")
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
                    if target == "@switchboard/react" or re.search(
                        r"(^|/)(components|pages|hooks|providers|app|react)/", target
                    ):
                        problems.append(f"{rel}:{n}: the SDK imports the UI ({target})")
    return problems


def walkthrough_problems():
    """docs/adding-a-transition.md names only files and symbols that exist, so it stays true.
    Names of the walk-through's own example (admin_cancel) are left out."""
    problems = []
    doc_path = os.path.join(ROOT, "docs", "adding-a-transition.md")
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    corpus = []
    for top in ("server/src", "server/tests", "web/src", "web/packages", "spec", "tests/blackbox"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".cpp", ".hpp", ".ts", ".tsx", ".json", ".mjs")):
                    with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                        corpus.append(f.read())
    corpus = "\n".join(corpus)
    for token in sorted(set(re.findall(r"`([^`\n]+)`", doc))):
        if "admin" in token.lower() or " " in token:
            continue
        if "/" in token:
            pattern = os.path.join(ROOT, token.rstrip("/"))
            if not (os.path.exists(pattern) or __import__("glob").glob(pattern)):
                problems.append(f"docs/adding-a-transition.md: no file {token}")
        elif re.fullmatch(r"[A-Za-z0-9_]+\.(cpp|hpp|ts|tsx)", token):
            found = any(token in files for _, _, files in os.walk(os.path.join(ROOT, "server")))
            found = found or any(
                token in files
                for top in ("src", "packages")
                for _, _, files in os.walk(os.path.join(ROOT, "web", top))
            )
            if not found:
                problems.append(f"docs/adding-a-transition.md: no file named {token}")
        elif token.startswith("unit_"):
            # A test binary: one per folder of server/tests/unit/.
            if not os.path.isdir(os.path.join(ROOT, "server", "tests", "unit", token[5:])):
                problems.append(f"docs/adding-a-transition.md: no test binary {token}")
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_:.\-]*", token):
            if token not in corpus:
                problems.append(f"docs/adding-a-transition.md: `{token}` is nowhere in the code")
    for quoted in re.findall(r'fails with "([^"]+)"(?: or "([^"]+)")?', doc):
        for text in quoted:
            if text and text not in corpus:
                problems.append(f'docs/adding-a-transition.md: message "{text}" is not in the code')
    return problems


def main():
    checks = [
        ("server folders include only the folders below them", server_problems()),
        ("the allowed folder graph has no cycle", [] if allowed_has_no_cycle() else ["cycle"]),
        ("the web SDK imports no React and no UI", sdk_problems()),
        ("the adding-a-transition walk-through names what exists", walkthrough_problems()),
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
