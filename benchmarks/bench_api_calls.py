"""API economy: the Batch API calls each screen makes, counted by a proxy in front of the simulator.

This process is the dashboard (Django's test client, signed in as a lead) on one database with the
simulator (`--count` batches seeded), which `runsimulator` serves behind the counting proxy of
benchmarks/api_standin.py. Each screen is requested once, with the caches emptied first, and the
calls the proxy saw are its count.

Budget (EnergyCAP is a shared, rate-limited service): no screen makes a call its data does not
need. For a screen that reads every page of a listing (export, review) that is page 1, which tells
the page count, then exactly the pages that remain; for the others, the calls named in SCREENS.
No screen may ask for the same thing twice or for a page past the last.

    python benchmarks/bench_api_calls.py [--count 800] [--json PATH]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import parse_qs

from harness import (
    Result,
    Servers,
    api_calls,
    dashboard_here,
    machine_info,
    machine_line,
    table,
    verdict,
)

NAME = "api_calls"
HX = {"HTTP_HX_REQUEST": "true"}
ALL_PAGES = None  # needed: every page of each listing once (page 1, then the rest)

# (screen, what its data needs, calls needed or ALL_PAGES)
SCREENS = [
    ("list", "the page of batches", 1),
    ("htmx filter", "the filtered page", 1),
    ("htmx sort", "the whole filtered result (at most 1,000) at once, sorted by the dashboard", 1),
    ("open dialog", "none: it shows at once, its preview loads after", 0),
    ("open preview", "a suggested code from the person's batches; their open batches", 2),
    ("open", "the open (POST)", 1),
    ("edit form", "the batch", 1),
    ("edit save", "the batch as it is now (who may edit it); the edit (PUT)", 2),
    ("close confirm", "the batch (its warnings)", 1),
    ("close", "the batch as it is now (who may close it, its warnings); the close (PUT)", 2),
    ("widget", "three counts and the open batches (which give the Open count)", 4),
    ("export", "every batch: page 1, then the pages that remain", ALL_PAGES),
    ("review, cold", "open and pending, closed recently: page 1 of each, then the rest", ALL_PAGES),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=800, help="batches to seed")
    parser.add_argument("--json", help="write the result here (run_all.py uses this)")
    return parser.parse_args(argv)


class FormFields(HTMLParser):
    """The values a browser would send for the forms of a page (inputs and textareas)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            self.fields[found["name"]] = found.get("value") or ""
        elif tag == "textarea" and found.get("name"):
            self._textarea = found["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def main(argv: list[str] | None = None) -> Result:
    args = parse_args(argv)
    with Servers() as servers:

        def seed() -> None:
            from batchui.simulator.seeding import seed_batches

            seed_batches(count=args.count, seed=2026)

        api_url, lead = dashboard_here(servers, latency_ms=0, seed=seed)
        counted = count_screens(api_url, lead)
    result = report(args, counted)
    print(result.markdown)
    if args.json:
        result.write(args.json)
    return result


def count_screens(api_url: str, lead) -> dict[str, list[dict]]:
    from django.core.cache import cache
    from django.test import Client

    from batchui.simulator.models import Batch

    browser = Client()
    browser.force_login(lead)
    code = "ECONOMY_OPENED"

    def ok(response, what: str):
        if response.status_code not in (200, 204):
            raise SystemExit(f"{what} answered {response.status_code}")
        return response

    def post_form(path: str, form_page, **changes: str) -> None:
        fields = FormFields(form_page.content.decode()).fields
        fields.pop("csrfmiddlewaretoken", None)
        fields.update(changes)
        ok(browser.post(path, fields, **HX), f"POST {path}")

    screens = {
        # The page streams its results: reading it whole runs the search.
        "list": lambda: ok(browser.get("/batches/"), "the list").getvalue(),
        "htmx filter": lambda: ok(browser.get("/batches/?status=open&code=a", **HX), "filter"),
        "htmx sort": lambda: ok(browser.get("/batches/?status=open&sort=-bills", **HX), "sort"),
        "open preview": lambda: ok(browser.get("/batches/new/preview/?suggest=1", **HX), "preview"),
        "open dialog": lambda: ok(browser.get("/batches/new/", **HX), "the open dialog"),
    }
    counted: dict[str, list[dict]] = {}

    def run(name: str, call) -> object:
        cache.clear()
        api_calls(api_url)  # empties the record
        answer = call()
        counted[name] = api_calls(api_url)
        return answer

    for name, call in screens.items():
        dialog = run(name, call)
    run("open", lambda: post_form("/batches/new/", dialog, batch_code=code))
    batch_id = Batch.objects.get(batch_code=code).batch_id
    edit = run("edit form", lambda: ok(browser.get(f"/batches/{batch_id}/edit/", **HX), "edit"))
    run("edit save", lambda: post_form(f"/batches/{batch_id}/edit/", edit, batch_code=code + "2"))
    close_path = f"/batches/{batch_id}/close/"
    confirm = run("close confirm", lambda: ok(browser.get(close_path, **HX), "close confirm"))
    acks = {f: "on" for f in FormFields(confirm.content.decode()).fields if f.startswith("ack_")}
    run("close", lambda: post_form(close_path, confirm, **acks))
    if Batch.objects.get(batch_id=batch_id).batch_status != "Closed":
        raise SystemExit("the close did not close the batch")
    run("widget", lambda: ok(browser.get("/widget/"), "the widget"))
    run("export", lambda: b"".join(ok(browser.get("/batches/export.csv"), "export")))
    run("review, cold", lambda: ok(browser.get("/review/"), "the review"))
    return counted


def listing_pages(calls: list[dict]) -> dict[tuple[str, str], tuple[list[int], int]]:
    """GET /api/v3/batch calls grouped by (filter, pageSize): (pages asked, the last page)."""
    groups: dict[tuple[str, str], tuple[list[int], int]] = defaultdict(lambda: ([], 0))
    for call in calls:
        if call["method"] != "GET" or call["path"].rstrip("/") != "/api/v3/batch":
            continue
        query = parse_qs(call["query"])
        key = (query.get("filter", [""])[0], query.get("pageSize", ["250"])[0])
        pages, last = groups[key]
        groups[key] = ([*pages, int(query.get("pageNumber", ["1"])[0])],
                       max(last, int(call["total_pages"] or 0)))  # fmt: skip
    return dict(groups)


def check(calls: list[dict], needed: int | None) -> tuple[int, list[str]]:
    """(calls needed, what is wasted) for one screen."""
    problems = []
    seen = [(c["method"], c["path"], c["query"]) for c in calls if c["method"] == "GET"]
    if len(set(seen)) < len(seen):
        problems.append("the same GET twice")
    listings = listing_pages(calls)
    for (_, size), (pages, last) in listings.items():
        past = sorted(p for p in pages if p > max(last, 1))
        if past:
            problems.append(f"{len(past)} pages past the last ({last}) of pageSize={size}")
    if needed is ALL_PAGES:
        needed = sum(max(last, 1) for pages, last in listings.values())
    if len(calls) > needed:
        problems.append(f"{len(calls) - needed} more than needed")
    return needed, problems


def described(calls: list[dict]) -> list[str]:
    """The calls in short: listings as their filter, page size and pages asked; others as sent."""
    found = [
        f"`{which or '(no filter)'}`: {size} a page, pages {','.join(map(str, sorted(pages)))}"
        f" of {last}"
        for (which, size), (pages, last) in listing_pages(calls).items()
    ]
    return found + [
        f"{c['method']} {c['path']}"
        for c in calls
        if c["method"] != "GET" or c["path"].rstrip("/") != "/api/v3/batch"
    ]


def report(args: argparse.Namespace, counted: dict[str, list[dict]]) -> Result:
    machine = machine_info()
    rows, all_ok = [], True
    for name, need, needed in SCREENS:
        calls = counted[name]
        needed, problems = check(calls, needed)
        all_ok = all_ok and not problems
        shown = "; ".join(described(calls))
        rows.append([name, str(len(calls)), f"{needed} ({need})", "; ".join(problems) or "none",
                     shown.replace("|", "\\|")])  # fmt: skip
    lines = [
        f"{args.count:,} batches seeded; each screen requested once, signed in as a lead, "
        "caches emptied first; calls counted by the proxy in front of the simulator.",
        "",
        table(["screen", "calls", "needed", "waste", "the calls"], rows),
        "",
        f"Budget: no screen makes a call its data does not need: {verdict(all_ok)}.",
        "",
        machine_line(machine),
    ]
    return Result(
        name=NAME,
        title="API economy: calls per screen",
        machine=machine,
        markdown="\n".join(lines),
        summary=", ".join(f"{n} {len(counted[n])}" for n, _, _ in SCREENS)
        + f" ({verdict(all_ok)})",
        ok=all_ok,
    )


if __name__ == "__main__":
    main()
