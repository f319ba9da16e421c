#!/usr/bin/env python3
"""Writes the packaged /etc/switchboard/switchboard.env from `switchboard --help`: every flag as
its environment twin, with its help text, commented out unless the package sets it.
Usage: scripts/make-env-file.py BINARY OUTPUT"""
import re
import subprocess
import sys

# What the packaged service sets: its state directory and the installed front end.
PACKAGE_SETTINGS = {
    "listen": "127.0.0.1:8080",
    "db": "sqlite:/var/lib/switchboard/switchboard.db",
    "web-root": "/usr/share/switchboard/web",
}


def flags(help_text):
    """(name, value hint, help) for every flag --help lists, in order."""
    out = []
    lines = help_text.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^  --([a-z0-9-]+)(?: (.*))?$", line)
        if not m or m.group(1) in ("help", "version"):
            continue
        help_lines = []
        for follow in lines[i + 1:]:
            if not follow.startswith("      "):
                break
            help_lines.append(follow.strip())
        out.append((m.group(1), m.group(2) or "", " ".join(help_lines)))
    return out


def main():
    binary, output = sys.argv[1], sys.argv[2]
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
    parts = [
        "# Switchboard's settings, read by switchboard.service (EnvironmentFile).",
        "# Each flag of `switchboard --help` has its environment twin here: --ring-timeout is",
        "# SWITCHBOARD_RING_TIMEOUT. Uncomment and set what you need, then",
        "# `systemctl restart switchboard`.",
        "#",
        "# Required before the first start: how your app signs its users' tokens, either",
        "# SWITCHBOARD_JWT_SECRET or SWITCHBOARD_JWT_PUBLIC_KEY.",
        "",
    ]
    for name, hint, text in flags(help_text):
        env = "SWITCHBOARD_" + name.upper().replace("-", "_")
        parts.append(f"# --{name} {hint}".rstrip())
        parts.append(f"#   {text}")
        if name in PACKAGE_SETTINGS:
            parts.append(f"{env}={PACKAGE_SETTINGS[name]}")
        else:
            parts.append(f"#{env}=")
        parts.append("")
    with open(output, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))


if __name__ == "__main__":
    main()
