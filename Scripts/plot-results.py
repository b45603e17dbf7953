#!/usr/bin/env python3
"""Bar charts of `weft evaluate` reports, Python standard library only.

For every (dataset, seed) among the given report JSONs, writes one SVG,
DATASET-seedSEED-METRIC.svg, with one group of bars per protocol (warm,
cold, random-811) and one bar per model, height = the chosen metric
(default NDCG@20). Models a dataset cannot run are left out of its chart.
Where a report holds standard errors (reports since 2026-12-04), each bar
carries a ±1 standard-error whisker; a cold report run in K folds is
labelled "cold (K folds)".

    python3 Scripts/plot-results.py docs/results/*.json --out docs/results
    python3 Scripts/plot-results.py docs/results/*.json --metric ndcg@10 --out docs/results
"""
import argparse
import json
import os
import sys
from xml.sax.saxutils import escape

PALETTE = ["#9e9e9e", "#6d8fb3", "#3f6b99", "#8fbf7f", "#e0b35c", "#d98b4a", "#b5654b", "#7a3b7a",
           "#4a9a9a", "#c2c25a"]
PROTOCOL_ORDER = ["warm", "cold", "random-811"]


def load(paths):
    """{(dataset, seed): {protocol: report}}; a later report for the same triple replaces an earlier one."""
    by_dataset = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                report = json.load(f)
        except (OSError, json.JSONDecodeError) as error:
            sys.exit(f"plot-results: cannot read {path}: {error}")
        for field in ("dataset", "protocol", "models"):
            if field not in report:
                sys.exit(f"plot-results: {path} is not a weft evaluate report (no '{field}')")
        by_dataset.setdefault((report["dataset"], report.get("seed", 0)), {})[report["protocol"]] = report
    return by_dataset


def chart(dataset, protocols, metric):
    """The SVG text of one dataset's chart."""
    names = []
    for protocol in protocols.values():
        for model in protocol["models"]:
            if model.get("metrics") and metric in model["metrics"] and model["name"] not in names:
                names.append(model["name"])
    groups = [p for p in PROTOCOL_ORDER if p in protocols] + sorted(p for p in protocols if p not in PROTOCOL_ORDER)
    bar, gap, left, top, height = 18, 30, 60, 50, 260
    group_width = len(names) * bar
    width = left + len(groups) * (group_width + gap) + 200
    peak = max([m["metrics"][metric] for p in protocols.values() for m in p["models"]
                if m.get("metrics") and metric in m["metrics"]] + [1e-9])
    top_value = max(0.1, round(peak * 1.15 + 0.05, 1))
    scale = height / top_value
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 70}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="22" font-size="14" font-weight="bold">{escape(dataset)}: {escape(metric)} '
           f'(seed {escape(str(next(iter(protocols.values())).get("seed", "?")))})</text>']
    # Axis with ticks every tenth.
    y0 = top + height
    out.append(f'<line x1="{left - 5}" y1="{y0}" x2="{width - 190}" y2="{y0}" stroke="#333"/>')
    ticks = int(round(top_value * 10))
    for t in range(ticks + 1):
        value = t / 10
        y = y0 - value * scale
        out.append(f'<line x1="{left - 5}" y1="{y:.1f}" x2="{width - 190}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{value:.1f}</text>')
    for g, protocol in enumerate(groups):
        x0 = left + g * (group_width + gap)
        models = {m["name"]: m for m in protocols[protocol]["models"]}
        for k, name in enumerate(names):
            model = models.get(name)
            if not model or not model.get("metrics") or metric not in model["metrics"]:
                continue
            value = model["metrics"][metric]
            x, h = x0 + k * bar, value * scale
            out.append(f'<rect x="{x}" y="{y0 - h:.1f}" width="{bar - 2}" height="{h:.1f}" '
                       f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(name)} {protocol}: {value:.4f}</title></rect>')
            label_y = y0 - h - 3
            se = (model.get("standard_errors") or {}).get(metric)
            if se:
                mid, hi, lo = x + (bar - 2) / 2, y0 - (value + se) * scale, y0 - max(value - se, 0) * scale
                out.append(f'<line x1="{mid:.1f}" y1="{hi:.1f}" x2="{mid:.1f}" y2="{lo:.1f}" stroke="#222"/>')
                out.append(f'<line x1="{mid - 3:.1f}" y1="{hi:.1f}" x2="{mid + 3:.1f}" y2="{hi:.1f}" stroke="#222"/>')
                label_y = hi - 3
            out.append(f'<text x="{x + (bar - 2) / 2:.1f}" y="{label_y:.1f}" font-size="8" text-anchor="middle">'
                       f'{value:.2f}</text>')
        title = protocol
        if protocols[protocol].get("cold_folds"):
            title += f' ({protocols[protocol]["cold_folds"]} folds)'
        out.append(f'<text x="{x0 + group_width / 2:.1f}" y="{y0 + 16}" text-anchor="middle">{escape(title)}</text>')
    for k, name in enumerate(names):
        y = top + 14 * k
        out.append(f'<rect x="{width - 180}" y="{y}" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>')
        out.append(f'<text x="{width - 165}" y="{y + 9}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", nargs="+", help="weft evaluate JSON reports")
    parser.add_argument("--metric", default="ndcg@20")
    parser.add_argument("--out", default=".", help="folder for the SVGs (DATASET-seedSEED-METRIC.svg)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for (dataset, seed), protocols in sorted(load(args.reports).items()):
        path = os.path.join(args.out, f"{dataset}-seed{seed}-{args.metric.replace('@', '')}.svg")
        with open(path, "w", encoding="utf-8") as f:
            f.write(chart(dataset, protocols, args.metric))
        print(path)


if __name__ == "__main__":
    main()
