#!/usr/bin/env python3
"""Writes data/product_descriptions/descriptions.jsonl: 300 real product
descriptions (150 gift cards, 150 magazine subscriptions) from the Amazon
Review Data (2018) item metadata, for `weft bench encoder` and tests.

Usage: Scripts/sample-product-descriptions.py SHARED_DATA_DIR
(SHARED_DATA_DIR holds amazon2018_reviews/meta_Gift_Cards.json.gz and
meta_Magazine_Subscriptions.json.gz). The sample is seeded, so reruns give the same file.
"""
import gzip
import html
import json
import os
import random
import re
import sys

PER_SOURCE = 150
MIN_CHARS, MAX_CHARS = 100, 1500


def clean(parts):
    text = " ".join(p for p in parts if isinstance(p, str))
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    return re.sub(r"\s+", " ", text).strip()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = os.path.join(sys.argv[1], "amazon2018_reviews")
    out_dir = os.path.join(os.path.dirname(__file__), "..", "data", "product_descriptions")
    rows = []
    for source in ["meta_Gift_Cards", "meta_Magazine_Subscriptions"]:
        seen, candidates = set(), []
        with gzip.open(os.path.join(root, source + ".json.gz"), "rt", encoding="utf-8") as f:
            for line in f:
                item = json.loads(line)
                text = clean(item.get("description") or [])
                if MIN_CHARS <= len(text) <= MAX_CHARS and text not in seen and item["asin"] not in seen:
                    seen.update([text, item["asin"]])
                    candidates.append({"id": item["asin"], "source": source, "text": text})
        rows += random.Random(0).sample(candidates, PER_SOURCE)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "descriptions.jsonl"), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} descriptions")


if __name__ == "__main__":
    main()
