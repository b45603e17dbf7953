#!/usr/bin/env python3
"""Convert Last.fm HetRec 2011 (hetrec2011-lastfm-2k) to the Weft dataset format.

Usage: convert-lastfm.py INPUT_DIR OUTPUT_DIR [--tags-per-artist N]

INPUT_DIR holds user_artists.dat, user_friends.dat, artists.dat, tags.dat and
user_taggedartists.dat (tab-separated, header line; tags.dat is ISO-8859-1).

Output:
  products.jsonl      one artist per line: title = artist name, description =
                      "Tags: ..." (its most used tags), categories = its top
                      N tags (default 5), so tags become category nodes
  users.jsonl         every user id
  interactions.jsonl  one line per (user, artist) pair with "plays" (the
                      listening count) as an attribute; the release has no
                      listening times, so timestamp is 0 and the warm
                      protocol's "last" interaction is the last in file order
  user_links.jsonl    friendships, relation "friend", both directions as in the source
Every user-artist pair is kept (no filtering), as RecBole-GNN's LastFM runs.
"""
import argparse
import collections
import json
import os
import sys


def rows(path, encoding="utf-8"):
    with open(path, encoding=encoding, errors="strict") as f:
        header = f.readline()
        if not header:
            sys.exit(f"{path}: empty file")
        for number, line in enumerate(f, start=2):
            line = line.rstrip("\r\n")
            if line:
                yield number, line.split("\t")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--tags-per-artist", type=int, default=5)
    args = parser.parse_args()
    src = lambda name: os.path.join(args.input, name)
    os.makedirs(args.output, exist_ok=True)

    artists = {}
    for number, fields in rows(src("artists.dat")):
        if len(fields) < 2:
            sys.exit(f"artists.dat:{number}: expected id and name")
        artists[fields[0]] = fields[1]
    tags = {}
    for number, fields in rows(src("tags.dat"), encoding="latin-1"):
        if len(fields) < 2:
            sys.exit(f"tags.dat:{number}: expected tagID and tagValue")
        tags[fields[0]] = fields[1]
    artist_tags = collections.defaultdict(collections.Counter)
    for number, fields in rows(src("user_taggedartists.dat")):
        if len(fields) < 3:
            sys.exit(f"user_taggedartists.dat:{number}: expected userID, artistID, tagID")
        if fields[1] in artists and fields[2] in tags:
            artist_tags[fields[1]][tags[fields[2]].strip().lower()] += 1

    with open(os.path.join(args.output, "products.jsonl"), "w", encoding="utf-8") as out:
        for artist_id, name in artists.items():
            ranked = [t for t, _ in sorted(artist_tags[artist_id].items(), key=lambda kv: (-kv[1], kv[0]))]
            record = {"id": artist_id, "title": name}
            if ranked:
                record["description"] = "Tags: " + ", ".join(ranked[:20])
                record["categories"] = ranked[: args.tags_per_artist]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

    users = set()
    with open(os.path.join(args.output, "interactions.jsonl"), "w", encoding="utf-8") as out:
        for number, fields in rows(src("user_artists.dat")):
            if len(fields) != 3:
                sys.exit(f"user_artists.dat:{number}: expected userID, artistID, weight")
            if fields[1] not in artists:
                sys.exit(f"user_artists.dat:{number}: artist {fields[1]} is not in artists.dat")
            users.add(fields[0])
            out.write(json.dumps({"user": fields[0], "product": fields[1], "timestamp": 0,
                                  "plays": int(fields[2])}) + "\n")
    with open(os.path.join(args.output, "user_links.jsonl"), "w", encoding="utf-8") as out:
        for number, fields in rows(src("user_friends.dat")):
            if len(fields) != 2:
                sys.exit(f"user_friends.dat:{number}: expected userID, friendID")
            users.update(fields)
            out.write(json.dumps({"source": fields[0], "target": fields[1], "relation": "friend"}) + "\n")
    with open(os.path.join(args.output, "users.jsonl"), "w", encoding="utf-8") as out:
        for u in sorted(users, key=int):
            out.write(json.dumps({"id": u}) + "\n")
    print(f"{len(artists)} artists, {len(users)} users written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
