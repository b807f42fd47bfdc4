#!/usr/bin/env python3
"""Gives a benchmark site a git history: the site as one first commit, then COMMITS commits
of one to three edited sources each, a year apart from first to last, with fixed authors
and dates, so that the same arguments give the same repository.

    scripts/history.py SITE_DIR COMMITS

Uses `git fast-import` (thousands of commits in seconds), then `git repack -adf`, as
fast-import's manual advises: fast-import deltifies each version against the one before
it, while `pack-objects` (what a server runs for every clone) stores the newest versions
whole and older ones as deltas of them. The benchmark reads the pack a clone would have.
"""
import random, subprocess, sys
from pathlib import Path

START = 1764374400  # 2025-11-29T00:00:00Z
YEAR = 365 * 24 * 3600


def main():
    site, commits = Path(sys.argv[1]), int(sys.argv[2])
    files = sorted(p for p in site.rglob("*") if p.is_file() and ".git" not in p.parts)
    sources = [p for p in files if p.suffix in (".md", ".yaml") and "content" in p.parts and p.name != "site.yaml"]
    texts = {p: p.read_bytes() for p in files}
    rng = random.Random(commits)
    subprocess.run(["git", "init", "-q", "-b", "main", str(site)], check=True)
    out = []

    def data(payload):
        out.append(b"data %d\n" % len(payload) + payload + b"\n")

    def commit(when, message, changed):
        out.append(b"commit refs/heads/main\n")
        out.append(b"committer Bench Writer <bench@example.com> %d +0000\n" % when)
        data(message.encode())
        for path in changed:
            out.append(b"M 100644 inline %s\n" % str(path.relative_to(site)).encode())
            data(texts[path])

    commit(START, "Import the site", files)
    for n in range(1, commits + 1):
        when = START + YEAR * n // commits
        changed = rng.sample(sources, rng.randint(1, 3))
        for path in changed:
            texts[path] = texts[path] + b"\n" if path.suffix == ".md" else texts[path] + b"# edit %d\n" % n
        commit(when, f"Edit {len(changed)} sources ({n})", changed)
    subprocess.run(["git", "-C", str(site), "fast-import", "--quiet"], input=b"".join(out), check=True)
    subprocess.run(["git", "-C", str(site), "reset", "-q", "--hard", "main"], check=True)
    subprocess.run(["git", "-C", str(site), "repack", "-adfq"], check=True)


if __name__ == "__main__":
    main()
