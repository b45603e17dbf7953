#!/usr/bin/env python3
"""Summarises Scripts/run-amazon-ablation.sh reports over seeds, as the ablation tables of
docs/RESULTS.md: mean test NDCG@20 of every model over the seeds, the mean verdict of
weft+tl+gnn against the best baseline (popularity, bpr-mf, lightgcn, text-knn), and per seed
the full model minus that seed's best baseline with its paired standard error.

    Scripts/summarize-amazon-ablation.py DIR [TAG] [SEEDS] [COLD_SUFFIX]

DIR holds amazon2018-<cut>-ablation-TAG[-seedN]-<protocol>[COLD_SUFFIX].json (TAG default weft,
SEEDS default 42,7,1, COLD_SUFFIX default -k10)."""
import json
import os
import sys

directory = sys.argv[1]
tag = sys.argv[2] if len(sys.argv) > 2 else "weft"
seeds = [int(s) for s in (sys.argv[3] if len(sys.argv) > 3 else "42,7,1").split(",")]
cold_suffix = sys.argv[4] if len(sys.argv) > 4 else "-k10"
models = ["popularity", "bpr-mf", "lightgcn", "text-knn", "weft-baseline", "weft+tl", "weft+gnn", "weft+tl+gnn"]
baselines = models[:4]
full = "weft+tl+gnn"
cuts = [("gift-cards", "Gift Cards sample"), ("gift-cards-full", "Gift Cards full 5-core"),
        ("magazines", "Magazines sample"), ("magazines-full", "Magazines full 5-core")]

print("| data, protocol | " + " | ".join(models) + " | mean verdict | per seed (" + ", ".join(map(str, seeds))
      + "): full model − best baseline ± paired SE |")
print("|---|" + "---:|" * len(models) + "---|---|")
for cut, label in cuts:
    for protocol in ["warm", "cold"]:
        reports = []
        for seed in seeds:
            suffix = "" if seed == 42 else f"-seed{seed}"
            name = f"amazon2018-{cut}-ablation-{tag}{suffix}-{protocol}{cold_suffix if protocol == 'cold' else ''}.json"
            path = os.path.join(directory, name)
            if os.path.exists(path):
                reports.append(json.load(open(path)))
        if not reports:
            continue
        means = {}
        for m in models:
            values = [x["metrics"]["ndcg@20"] for r in reports for x in r["models"] if x["name"] == m and x.get("metrics")]
            means[m] = sum(values) / len(values) if len(values) == len(reports) else None
        best_baseline = max((b for b in baselines if means[b] is not None), key=lambda b: means[b])
        margin = means[full] - means[best_baseline]
        verdict = f"{'**win**' if margin > 0 else 'loss'} ({margin:+.4f} vs {best_baseline})"
        per_seed = []
        for r in reports:
            scores = {x["name"]: x["metrics"]["ndcg@20"] for x in r["models"] if x.get("metrics")}
            best = max(baselines, key=lambda b: scores.get(b, -1))
            paired = next(d for d in r["paired_differences"]
                          if d["model"] == best and d["metric"] == "ndcg@20" and d["reference"] == full)
            per_seed.append(f"{'W' if paired['difference'] > 0 else 'L'} {paired['difference']:+.3f}±{paired['standard_error']:.3f}")
        top = max(means, key=lambda m: means[m] if means[m] is not None else -1)
        cells = [("**%.4f**" if m == top else "%.4f") % means[m] if means[m] is not None else "" for m in models]
        folds = f", {len(reports)} seeds" if len(reports) != len(seeds) else ""
        print(f"| {label}, {protocol}{folds} | " + " | ".join(cells) + f" | {verdict} | " + "; ".join(per_seed) + " |")
