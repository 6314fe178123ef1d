"""The Python peer of mlgate-report html that a team would otherwise write:
MLflow's client for the history, matplotlib for the SVG charts, jinja2 for
the page. Same inputs, same charts (one per compared metric, one per metric
over the versions), inline SVG in one file.

    python bench/report_peer.py OUT.html REGISTRY_URI MODEL N DECISION.json...

Prints "read S s, render S s, total S s, BYTES bytes".
"""
import io
import json
import logging
import sys
import time
import warnings

T0 = time.perf_counter()
warnings.filterwarnings("ignore")
logging.getLogger("mlflow").setLevel(logging.ERROR)

import jinja2  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

PAGE = jinja2.Template("""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{{ model }} version {{ version }}: {{ overall }}</title></head><body><main>
<h1>{{ overall }}: {{ model }} version {{ version }}</h1>
{% for g in gates %}<section><h2>{{ g.gate }}: {{ g.verdict }}</h2><table>
{% for c in g.checks %}<tr><td>{{ c.id }}</td><td>{{ c.status }}</td><td>{{ c.message }}</td></tr>
{% endfor %}</table>{% for m in g.charts %}<h3>{{ m.name }}</h3>{{ m.svg }}{% endfor %}</section>
{% endfor %}<section><h2>History</h2>{% for h in history %}<h3>{{ h.name }}</h3>{{ h.svg }}
{% endfor %}</section></main></body></html>""", autoescape=True)


def svg(fig):
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return jinja2.Markup(buf.getvalue()) if hasattr(jinja2, "Markup") else \
        __import__("markupsafe").Markup(buf.getvalue())


def compare_chart(m):
    fig, ax = plt.subplots(figsize=(6.4, 1.5))
    if m.get("baseline") is not None:
        ax.plot([m["baseline"]], [0], "o", mfc="none", label="production")
    ax.plot([m["candidate"]], [0], "D", color="#009E73" if m["verdict"] == "passed" else "#D55E00",
            label="candidate")
    ax.set_yticks([])
    ax.legend(loc="upper right", fontsize=7)
    return svg(fig)


def history_chart(name, versions, values, prod):
    fig, ax = plt.subplots(figsize=(6.4, 2.4))
    ax.plot(versions, values, "-o", ms=2)
    px = [v for v, p in zip(versions, prod) if p]
    py = [x for x, p in zip(values, prod) if p]
    ax.plot(px, py, "^", label="reached production")
    ax.set_title(name)
    ax.legend(fontsize=7)
    return svg(fig)


def main(out, uri, model, n, decisions):
    t_read = time.perf_counter()
    c = MlflowClient(tracking_uri=uri, registry_uri=uri)
    mvs = c.search_model_versions(f"name='{model}'", max_results=n,
                                  order_by=["version_number DESC"])[::-1]
    runs = {mv.version: c.get_run(mv.run_id).data.metrics for mv in mvs}
    docs = [json.load(open(d)) for d in decisions]
    t_render = time.perf_counter()
    gates = []
    compared = []
    for d in docs:
        charts = []
        for m in d.get("compare", {}).get("metrics", []):
            charts.append({"name": m["name"], "svg": compare_chart(m)})
            compared.append(m["name"])
        gates.append({"gate": d["gate"], "verdict": d["verdict"], "checks": d["checks"],
                      "charts": charts})
    versions = [int(mv.version) for mv in mvs]
    prod = [mv.current_stage == "Production" or
            mv.tags.get("mlgate.promote.verdict") == "passed" for mv in mvs]
    history = []
    for name in compared:
        values = [runs[mv.version].get(name, float("nan")) for mv in mvs]
        history.append({"name": name, "svg": history_chart(name, versions, values, prod)})
    overall = "rejected" if any(d["verdict"] == "failed" for d in docs) else "passed"
    page = PAGE.render(model=model, version=docs[0]["version"], overall=overall, gates=gates,
                       history=history)
    open(out, "w").write(page)
    t_end = time.perf_counter()
    print(f"read {t_render - t_read:.2f} s, render {t_end - t_render:.2f} s, "
          f"total {t_end - T0:.2f} s (imports included), {len(page.encode())} bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:])
