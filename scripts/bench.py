#!/usr/bin/env python3
"""Benchmark: trustbook (both sites) against Hugo (one site) on the same Markdown.

    scripts/bench.py [--sizes 100,1000,10000] [--runs 3] [--edits 20] [--only builds,history,serve]

Generates corpora with `cargo run --release --example corpus`, installs Hugo from Debian
if it is missing, then for each size runs both tools alternately, `--runs` times each, in
three modes: clean (output and caches deleted first), rebuild (previous output present,
nothing changed) and edit (previous output present, one policy's text changed before each
run, as when a user builds after a save).
Prints medians of wall and CPU time, peak memory (from /usr/bin/time -v), pages per
second and trustbook/Hugo ratios; then what reading git history costs (`--history`
commits made by scripts/history.py, at the largest size, with and without --no-git); then
the edit-to-served latency of `trustbook serve` and `hugo server` at each size from 1,000
(median of --edits edits). Set TMPDIR to a tmpfs (/dev/shm) for figures without the file
system's churn. Run it on an otherwise idle machine.
"""
import argparse, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "target/release/trustbook"
ENV = dict(os.environ, TRUSTBOOK_TODAY="2026-11-27", NO_COLOR="1")


def sh(args, **kw):
    return subprocess.run(args, check=True, text=True, capture_output=True, **kw)


def timed(args, cwd):
    """Wall s, CPU s, peak MiB and stderr+stdout of one run under /usr/bin/time -v."""
    done = subprocess.run(["/usr/bin/time", "-v", *args], cwd=cwd, env=ENV, text=True, capture_output=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    report = done.stderr
    def field(name):
        return re.search(rf"{re.escape(name)}: (.*)", report).group(1).strip()
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    seconds = sum(float(part) * 60 ** i for i, part in enumerate(reversed(wall)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    peak = int(field("Maximum resident set size (kbytes)")) / 1024
    return seconds, cpu, peak, done.stdout + report


def clean_trustbook(site):
    for name in ["public", "internal", ".public.trustbook-previous", ".internal.trustbook-previous",
                 ".public.trustbook-swap", ".internal.trustbook-swap", ".trustbook-cache"]:
        shutil.rmtree(site / name, ignore_errors=True)


def clean_hugo(site):
    for name in ["public", "resources", ".hugo_build.lock"]:
        path = site / name
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def pages_of(tool, output, site):
    if tool == "trustbook":
        found = re.findall(r"\((\d+) pages", output)
        return sum(int(n) for n in found)
    return sum(1 for _ in (site / "public").rglob("*.html"))


def edit_policy(path, marker):
    """Changes one sentence of a policy's body, the same way for both tools."""
    text = path.read_text()
    text = re.sub(r"\n# Policy 7[^\n]*\n", f"\n# Policy 7 {marker}\n", text, count=1)
    path.write_text(text)


def measure(n, runs, root):
    sh(["cargo", "run", "-q", "--release", "--example", "corpus", "--", str(n), str(root)], cwd=REPO)
    tools = {
        # Both print errors only: Hugo's warnings are off with --quiet, and so are
        # trustbook's (the corpus gives it some 9,000 warnings, 10 MB of text to format).
        "trustbook": (root / "trustbook", [str(BIN), "build", "--quiet"], clean_trustbook),
        "hugo": (root / "hugo", ["hugo", "--quiet"], clean_hugo),
    }
    rows = []
    for mode in ["clean", "rebuild", "edit"]:
        samples = {tool: [] for tool in tools}
        for tool, (site, _, clean) in tools.items():
            clean(site)
            if mode != "clean":  # the previous output is present, as when a user builds again
                timed(tools[tool][1], site)
                timed(tools[tool][1], site)
        for run in range(runs):
            for tool, (site, args, clean) in tools.items():  # alternate the tools
                if mode == "clean":
                    clean(site)
                if mode == "edit":
                    edit_policy(site / "content/policies/policy-7.md", f"{mode}{run}")
                wall, cpu, peak, output = timed(args, site)
                samples[tool].append((wall, cpu, peak, pages_of(tool, output, site)))
        medians = {}
        for tool, values in samples.items():
            wall = statistics.median(v[0] for v in values)
            cpu = statistics.median(v[1] for v in values)
            peak = statistics.median(v[2] for v in values)
            pages = values[0][3]
            medians[tool] = (wall, cpu, peak, pages)
            rows.append((n, mode, tool, wall, cpu, peak, pages, pages / wall if wall else 0))
        t, h = medians["trustbook"], medians["hugo"]
        rows.append((n, mode, "ratio", t[0] / h[0], t[1] / h[1], t[2] / h[2], None, None))
    return rows


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, marker, deadline):
    """Polls `url` until its body holds `marker`."""
    while True:
        try:
            if marker in urllib.request.urlopen(url, timeout=10).read().decode():
                return
        except OSError:
            pass  # not listening yet, or the page is missing while the site rebuilds
        if time.monotonic() > deadline:
            sys.exit(f"{url} never showed {marker!r}")
        time.sleep(0.002)


def serve_latency(site, tool, edits):
    """Median, fastest and slowest ms from writing a policy to the tool's development
    server answering with the new text: `trustbook serve` (the handbook, with the public
    preview) or `hugo server` (as a user runs it: in memory, fast render mode)."""
    port = free_port()
    if tool == "trustbook":
        args = [str(BIN), "serve", "--port", str(port), "--root", str(site)]
    else:
        args = ["hugo", "server", "--port", str(port), "--bind", "127.0.0.1", "--source", str(site)]
    server = subprocess.Popen(args, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    policy = site / "content/policies/policy-7.md"
    original = policy.read_text()
    try:
        url = f"http://127.0.0.1:{port}/policies/policy-7/"
        wait_for(url, "Policy 7", time.monotonic() + 600)
        time.sleep(2)  # the page may be served before the watcher is watching
        latencies = []
        for i in range(edits):
            marker = f"EDIT{i}MARK"
            started = time.perf_counter()
            policy.write_text(original.replace("# Policy 7", f"# Policy 7 {marker}", 1))
            wait_for(url, marker, time.monotonic() + 120)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.3)
        return statistics.median(latencies), min(latencies), max(latencies)
    finally:
        server.kill()
        server.wait()
        policy.write_text(original)


def print_serve(sizes, edits, tmp):
    for n in sizes:
        root = tmp / f"serve-{n}"
        sh(["cargo", "run", "-q", "--release", "--example", "corpus", "--", str(n), str(root)], cwd=REPO)
        for tool in ["trustbook", "hugo"]:
            median, low, high = serve_latency(root / tool, tool, edits)
            print(f"serve edit-to-served at N={n}, {tool}: median {median:.0f} ms (min {low:.0f}, max {high:.0f}, {edits} edits)")
        shutil.rmtree(root, ignore_errors=True)


def measure_history(n, commits, runs, root):
    """Clean and rebuild of trustbook alone, on a corpus with `commits` commits of history,
    with and without reading it (`--no-git`): what provenance from git costs."""
    sh(["cargo", "run", "-q", "--release", "--example", "corpus", "--", str(n), str(root)], cwd=REPO)
    site = root / "trustbook"
    sh([sys.executable, str(REPO / "scripts/history.py"), str(site), str(commits)])
    rows = []
    variants = [("git", []), ("no-git", ["--no-git"])]
    for mode in ["clean", "rebuild"]:
        samples = {"git": [], "no-git": []}
        if mode == "clean":
            for _ in range(runs):
                for variant, extra in variants:
                    clean_trustbook(site)
                    samples[variant].append(timed([str(BIN), "build", *extra], site)[:2])
        else:
            # Not alternated: the pages show dates only with history, so a build of the
            # other variant would leave every page to render again.
            for variant, extra in variants:
                for _ in range(2):
                    timed([str(BIN), "build", *extra], site)
                for _ in range(runs):
                    samples[variant].append(timed([str(BIN), "build", *extra], site)[:2])
        git = [statistics.median(v[i] for v in samples["git"]) for i in (0, 1)]
        plain = [statistics.median(v[i] for v in samples["no-git"]) for i in (0, 1)]
        rows.append((mode, git, plain))
    return rows


def print_history(n, args, tmp):
    print(f"provenance from git at N={n} with {args.history} commits:")
    for mode, git, plain in measure_history(n, args.history, args.runs, tmp / "history"):
        extra = git[0] - plain[0]
        print(f"{mode:8} with history {git[0]:.2f} s wall / {git[1]:.2f} s cpu, --no-git {plain[0]:.2f} s / {plain[1]:.2f} s:"
              f" +{extra:.2f} s ({100 * extra / plain[0]:.0f} %)")
    shutil.rmtree(tmp / "history", ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--history", type=int, default=2000, metavar="COMMITS",
                        help="commits of history for the provenance figures at the largest size (0: skip)")
    parser.add_argument("--only", metavar="PARTS",
                        help="some parts, comma-separated: builds (the build table), history (the provenance "
                             "figures), serve (the serve latencies); `builds,serve` is issue #19's table")
    args = parser.parse_args()
    parts = {"builds", "history", "serve"}
    only = set(args.only.split(",")) if args.only else parts
    if not only <= parts:
        sys.exit(f"--only takes some of {', '.join(sorted(parts))}, not {', '.join(sorted(only - parts))}")
    wants = lambda part: part in only
    if wants("builds") or wants("serve"):
        install_hugo()
    sh(["cargo", "build", "-q", "--release", "--bin", "trustbook", "--example", "corpus"], cwd=REPO)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        if wants("builds"):
            print_builds(sizes, args.runs, Path(tmp))
        if wants("history") and args.history:
            print_history(max(sizes), args, Path(tmp))
        if wants("serve"):
            print_serve([n for n in sizes if n >= 1000], args.edits, Path(tmp))


def install_hugo():
    if shutil.which("hugo") is None:
        if os.geteuid() != 0:
            sys.exit("Hugo is missing: run `sudo apt-get install hugo`")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], check=True)


def print_builds(sizes, runs, tmp):
    hugo = sh(["hugo", "version"]).stdout.split()[1]
    print(f"machine: {os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}; hugo {hugo}")
    print(f"{'N':>6} {'mode':8} {'tool':10} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'pages':>7} {'pages/s':>8}")
    for n in sizes:
        for (size, mode, tool, wall, cpu, peak, pages, rate) in measure(n, runs, tmp / str(n)):
            if tool == "ratio":
                print(f"{size:>6} {mode:8} {'tb/hugo':10} {wall:>8.2f} {cpu:>8.2f} {peak:>9.2f}")
            else:
                print(f"{size:>6} {mode:8} {tool:10} {wall:>8.2f} {cpu:>8.2f} {peak:>9.0f} {pages:>7} {rate:>8.0f}")
        shutil.rmtree(tmp / str(n), ignore_errors=True)


if __name__ == "__main__":
    main()
