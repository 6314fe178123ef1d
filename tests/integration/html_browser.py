"""Look at mlgate-report html pages as a person would, in Debian's headless
Chromium driven by selenium (the system chromedriver: nothing downloaded):
every check and metric of the JSON decisions present with its verdict,
whole-page screenshots at 1280 and 390 px wide, nothing wider than the viewport, axe-core
with no serious or critical violation in light and dark mode, and for hostile
pages: no script ran, no element injected.

Usage: html_browser.py AXE_JS SHOTS_DIR SPEC.json
SPEC: [{"page": PATH, "overall": VERDICT, "decisions": [PATH...], "texts": [TEXT...]}]
(texts: what must be shown as text, such as hostile markup)
Prints one line per page and view; exits 1 on any problem.
"""
import base64
import json
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

WORDS = {"passed": "passed", "failed": "rejected", "error": "error", "manual": "manual"}

# runs before any script of the page: alert/confirm/prompt and script execution recorded
RECORDER = """
window.__mg_calls = [];
for (const f of ['alert', 'confirm', 'prompt'])
  window[f] = function () { window.__mg_calls.push(f); };
"""

DOM = """
const rows = {};
for (const tr of document.querySelectorAll('tr[data-check]'))
  rows[tr.dataset.gate + ' ' + tr.dataset.check] = [tr.dataset.status,
    tr.getBoundingClientRect().height > 0];
const metrics = {};
for (const tr of document.querySelectorAll('tr[data-metric]'))
  metrics[tr.dataset.metric] = tr.dataset.status;
const gates = [...document.querySelectorAll('#overall li[data-gate]')].map(
  li => [li.dataset.gate, li.dataset.verdict]);
return {overall: document.getElementById('overall').dataset.verdict, rows, metrics, gates,
  scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
  injected: document.querySelectorAll('script, img, iframe, object, embed').length,
  calls: window.__mg_calls || ['recorder missing'], title: document.title,
  bg: getComputedStyle(document.body).backgroundColor, text: document.body.innerText};
"""

AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(
  r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length, v.help])),
  e => done([['axe-error', 'critical', 0, String(e)]]));
"""


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1280,900"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.set_script_timeout(30)
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    return d


def main(axe_path, shots, spec_path):
    axe = open(axe_path, encoding="utf-8").read()
    spec = json.load(open(spec_path))
    problems = []
    d = browser()
    try:
        for item in spec:
            page = item["page"]
            name = page.rsplit("/", 1)[-1].removesuffix(".html")
            for width in (1280, 390):
                d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                    "width": width, "height": 900, "deviceScaleFactor": 1,
                    "mobile": width < 500})
                backgrounds = set()
                for scheme in ("light", "dark"):
                    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                        "features": [{"name": "prefers-color-scheme", "value": scheme}]})
                    d.get("file://" + page)
                    got = d.execute_script(DOM)
                    backgrounds.add(got["bg"])
                    where = f"{name} {width}px {scheme}"
                    # against the device width: a phone's layout viewport (innerWidth) widens
                    # to fit content that overflows, which would hide the overflow
                    if got["scrollWidth"] > min(width, got["innerWidth"]):
                        problems.append(f"{where}: overflows: {got['scrollWidth']} px wide, "
                                        f"the screen {width} px (innerWidth {got['innerWidth']})")
                    if got["overall"] != item["overall"]:
                        problems.append(f"{where}: overall {got['overall']}, "
                                        f"expected {item['overall']}")
                    if got["injected"] or got["calls"] or got["title"] == "owned":
                        problems.append(f"{where}: injected {got['injected']}, "
                                        f"calls {got['calls']}, title {got['title']!r}")
                    for t in item.get("texts", []):
                        if t not in got["text"]:
                            problems.append(f"{where}: the text {t!r} is not shown")
                    for dec in item["decisions"]:
                        doc = json.load(open(dec))
                        if [doc["gate"], WORDS[doc["verdict"]]] not in got["gates"]:
                            problems.append(f"{where}: {doc['gate']} {doc['verdict']} "
                                            f"not in the banner {got['gates']}")
                        for c in doc["checks"]:
                            row = got["rows"].get(doc["gate"] + " " + c["id"])
                            if not row or row[0] != c["status"] or not row[1]:
                                problems.append(f"{where}: check {c['id']}: {row}, "
                                                f"expected {c['status']}, visible")
                        for m in doc.get("compare", {}).get("metrics", []):
                            if got["metrics"].get(m["name"]) != m["verdict"]:
                                problems.append(f"{where}: metric {m['name']}: "
                                                f"{got['metrics'].get(m['name'])}")
                    height = d.execute_script("return document.documentElement.scrollHeight")
                    shot = d.execute_cdp_cmd("Page.captureScreenshot", {
                        "format": "png", "captureBeyondViewport": True,
                        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
                    with open(f"{shots}/{name}-{width}-{scheme}.png", "wb") as f:
                        f.write(base64.b64decode(shot["data"]))
                    d.execute_script(axe)
                    bad = [v for v in d.execute_async_script(AXE)
                           if v[1] in ("serious", "critical")]
                    for v in bad:
                        problems.append(f"{where}: axe {v[0]} ({v[1]}, {v[2]} nodes): {v[3]}")
                    print(f"{where}: {len(got['rows'])} checks, {len(got['metrics'])} metrics,"
                          f" axe serious/critical {len(bad)}")
                if len(backgrounds) != 2:
                    problems.append(f"{name} {width}px: dark mode changed nothing")
    finally:
        d.quit()
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
