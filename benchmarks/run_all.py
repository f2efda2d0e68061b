"""Run every `benchmarks/bench_*.py` in turn and write the figures into docs/performance.md.

    python benchmarks/run_all.py [NAME ...]     # e.g. simulator_filter; default: all of them

Each benchmark runs in its own process (each builds its own throwaway database before Django
starts) with `--json PATH`; its section of docs/performance.md, between `<!-- bench:NAME -->` and
`<!-- /bench:NAME -->`, is replaced (or appended when missing), and so is the `machine` section.
Exit status 1 when a benchmark failed or missed its budget (the figures are written anyway).
Each benchmark starts the servers it needs (benchmarks/harness.py) and stops them; one that runs
longer than TIMEOUT_S is stopped and counted as failed, so the whole run stays bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import REPO, table

BENCHMARKS = Path(__file__).resolve().parent
DOC = REPO / "docs" / "performance.md"
TIMEOUT_S = 600


def replace_section(text: str, name: str, body: str, *, title: str) -> str:
    """`text` with the part between the markers of `name` replaced (appended when missing)."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return text.rstrip("\n") + f"\n\n## {title}\n\n{block}\n"


def machine_section(machine: dict[str, str]) -> str:
    rows = [
        ["CPU", machine["cpu"]],
        ["cores (`nproc`)", str(os.cpu_count())],
        ["RAM", machine["ram"]],
        ["OS", machine["os"]],
        ["Python", machine["python"]],
        ["Django", machine["django"]],
        ["SQLite", machine["sqlite"]],
        ["date", machine["date"]],
    ]
    return "Where the figures below were last measured (`make bench`):\n\n" + table(
        ["", "value"], rows
    )


def run_one(script: Path) -> dict | None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        print(f"== {script.name}", flush=True)
        # Its own process group: on a timeout, the servers it started are stopped with it.
        process = subprocess.Popen(
            [sys.executable, str(script), "--json", str(out)], start_new_session=True
        )
        try:
            process.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            print(f"{script.name} ran over {TIMEOUT_S} s and was stopped", file=sys.stderr)
            return None
        if process.returncode != 0 or not out.exists():
            print(f"{script.name} failed (exit {process.returncode})", file=sys.stderr)
            return None
        return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks, update the docs.")
    parser.add_argument("names", nargs="*", help="benchmarks to run (bench_NAME.py)")
    args = parser.parse_args(argv)
    scripts = sorted(BENCHMARKS.glob("bench_*.py"))
    if args.names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.names]
        if not scripts:
            parser.error(f"no benchmark named {', '.join(args.names)}")

    rows, failed = [], False
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    results = [(script, run_one(script)) for script in scripts]
    for script, result in results:
        if result is None:
            rows.append([script.stem, "FAILED TO RUN", "no"])
            failed = True
            continue
        rows.append([result["name"], result["summary"], "yes" if result["ok"] else "NO"])
        failed = failed or not result["ok"]
        text = replace_section(text, result["name"], result["markdown"], title=result["title"])
        text = replace_section(text, "machine", machine_section(result["machine"]), title="Machine")
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
    print()
    print(table(["benchmark", "result", "within budget"], rows))
    print(f"\nwrote {DOC.relative_to(REPO)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
