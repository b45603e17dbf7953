#!/usr/bin/env python3
"""Writes data/product-descriptions/descriptions.jsonl: 300 real product
descriptions from the Amazon Review Data (2018) metadata in the shared data set,
for the tokenizer benchmark (`weft bench tokenizer`).

    python3 Scripts/sample-product-descriptions.py PATH/TO/shared/data

200 Magazine Subscriptions and 100 Gift Cards items with a description of at
least 40 characters, one per ASIN, drawn with random.Random(7), kept in file order.
"""
import gzip
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "data", "product-descriptions", "descriptions.jsonl")
SOURCES = [("meta_Magazine_Subscriptions.json.gz", 200), ("meta_Gift_Cards.json.gz", 100)]


def descriptions(path):
    seen = set()
    with gzip.open(path, "rt", encoding="utf-8") as file:
        for line in file:
            record = json.loads(line)
            parts = record.get("description") or []
            if isinstance(parts, str):
                parts = [parts]
            text = " ".join(" ".join(part.split()) for part in parts if part.strip())
            if len(text) >= 40 and record["asin"] not in seen:
                seen.add(record["asin"])
                yield {"asin": record["asin"], "source": os.path.basename(path), "text": text}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: sample-product-descriptions.py PATH/TO/shared/data")
    folder = os.path.join(sys.argv[1], "amazon2018_reviews")
    generator = random.Random(7)
    records = []
    for name, count in SOURCES:
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            sys.exit(f"sample-product-descriptions.py: {path} is missing")
        candidates = list(descriptions(path))
        chosen = sorted(generator.sample(range(len(candidates)), count))
        records += [candidates[index] for index in chosen]
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8") as file:
        for record in records:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} descriptions to {OUTPUT}")


if __name__ == "__main__":
    main()
