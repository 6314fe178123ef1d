"""Check an mlgate-report html page from the outside, with html.parser: the
overall and per-gate verdicts, every check of the JSON decisions with its
status, every compared metric, the history, no script and no external
resource, and its size.

Usage: html_check.py PAGE OVERALL DECISION.json... [--history N]
Prints one line per problem and exits 1 when there is one.
"""
import html.parser
import json
import sys


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.checks = {}   # (gate, id) -> status
        self.metrics = {}  # name -> status
        self.gates = []    # (gate, verdict) of the banner
        self.overall = None
        self.text = []
        self.external = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if a.get("id") == "overall":
            self.overall = a.get("data-verdict")
        if tag == "tr" and "data-check" in a:
            self.checks[(a["data-gate"], a["data-check"])] = a["data-status"]
        if tag == "tr" and "data-metric" in a:
            self.metrics[a["data-metric"]] = a["data-status"]
        if tag == "li" and "data-gate" in a:
            self.gates.append((a["data-gate"], a["data-verdict"]))
        for k in ("src", "href"):
            v = a.get(k) or ""
            if v and not v.startswith("#") and not v.startswith("https://"):
                self.external.append(v)
        if tag == "link":
            self.external.append(str(a))

    def handle_data(self, data):
        self.text.append(data)


def main(argv):
    history = None
    if "--history" in argv:
        i = argv.index("--history")
        history = int(argv[i + 1])
        del argv[i:i + 2]
    path, overall, decisions = argv[0], argv[1], argv[2:]
    raw = open(path, "rb").read()
    p = Page()
    p.feed(raw.decode("utf-8"))
    problems = []
    if len(raw) > 200 * 1024:
        problems.append(f"{len(raw)} bytes: more than 200 KB")
    if "script" in p.tags or "iframe" in p.tags or "object" in p.tags:
        problems.append("the page has a script, iframe or object element")
    if p.external:
        problems.append(f"external resources: {p.external}")
    if p.overall != overall:
        problems.append(f"overall verdict {p.overall}, expected {overall}")
    words = {"passed": "passed", "failed": "rejected", "error": "error", "manual": "manual"}
    for d in decisions:
        doc = json.load(open(d))
        if (doc["gate"], words[doc["verdict"]]) not in p.gates:
            problems.append(f"{d}: gate {doc['gate']} {doc['verdict']} not in the banner {p.gates}")
        for c in doc["checks"]:
            got = p.checks.get((doc["gate"], c["id"]))
            if got != c["status"]:
                problems.append(f"{d}: check {c['id']} shown as {got}, expected {c['status']}")
        for m in doc.get("compare", {}).get("metrics", []):
            if p.metrics.get(m["name"]) != m["verdict"]:
                problems.append(f"{d}: metric {m['name']} shown as {p.metrics.get(m['name'])}")
    text = " ".join(p.text)
    if history is not None:
        want = f"the last {history} versions"
        if want not in text:
            problems.append(f"no history section saying '{want}'")
        if "reached production: version 1" not in text:
            problems.append("the history does not mark version 1 as reached production")
    for line in problems:
        print(f"{path}: {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
