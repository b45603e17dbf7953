#!/usr/bin/env bash
# Regenerates the sample datasets in data/ from the raw public datasets.
#
#   Scripts/make-samples.sh PATH/TO/shared/data [--full-counts]
#
# Each raw dataset is converted in full (weft convert) into a temporary folder,
# then cut down with weft sample (deterministic: the most-interacted products,
# the most active users among them, everything between them), and the sample is
# imported into a scratch database to print the counts data/README.md states.
# --full-counts also imports every full conversion and prints its counts.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    echo "usage: Scripts/make-samples.sh PATH/TO/shared/data [--full-counts]" >&2
    exit 2
fi
raw="$(cd "$1" && pwd)"
full_counts="${2:-}"
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product weft >/dev/null
weft=".build/release/weft"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

amazon="$raw/amazon2018_reviews"
s3rec="$raw/amazon2014_seqrec_s3rec"
tang="$raw/tang_ciao_epinions"

"$weft" convert amazon2018 --input "$amazon/Gift_Cards_5.json.gz" --metadata "$amazon/meta_Gift_Cards.json.gz" \
    --output "$work/amazon2018-gift-cards"
"$weft" convert amazon2018 --input "$amazon/Magazine_Subscriptions_5.json.gz" \
    --metadata "$amazon/meta_Magazine_Subscriptions.json.gz" --output "$work/amazon2018-magazines"
"$weft" convert s3rec --input "$s3rec/Beauty.txt" --attributes "$s3rec/Beauty_item2attributes.json" \
    --asin-map "$s3rec/p5_asin_maps/Beauty_datamaps.json" --output "$work/s3rec-beauty"
"$weft" convert ciao --input "$tang/ciao/ciao_ratings_with_timestamp.tsv.gz" --trust "$tang/ciao/ciao_trust.tsv.gz" \
    --categories "$tang/ciao/catalog_ciao.txt" --output "$work/ciao-finance"
"$weft" convert epinions --input "$tang/epinions/epinions_ratings.tsv.gz" --trust "$tang/epinions/epinions_trust.tsv.gz" \
    --categories "$tang/epinions/catalog_epinion.txt" --output "$work/epinions-personal-finance"
"$weft" convert lastfm --input "$raw/lastfm_hetrec2011" --listener-tags keep --output "$work/lastfm"  # as the committed sample was made

sample() {
    local name="$1"
    shift
    rm -rf "data/$name"
    "$weft" sample --input "$work/$name" --output "data/$name" "$@"
}
sample amazon2018-gift-cards --products 150 --min-user-interactions 5 --max-users 150 --cold-products 20
sample amazon2018-magazines --products 160 --min-user-interactions 3 --max-users 150 --cold-products 20
sample s3rec-beauty --products 300 --min-user-interactions 5 --max-users 150
sample ciao-finance --category Finance --products 300 --min-user-interactions 2 --max-users 300
sample epinions-personal-finance --category "Personal Finance" --products 300 --min-user-interactions 3 --max-users 300
sample lastfm --products 300 --min-user-interactions 10 --max-users 120

echo
echo "| folder | products | users | interactions | product links | user links | categories | brands |"
echo "|---|---|---|---|---|---|---|---|"
for name in amazon2018-gift-cards amazon2018-magazines s3rec-beauty ciao-finance epinions-personal-finance lastfm; do
    for kind in sample full; do
        [ "$kind" = full ] && [ "$full_counts" != "--full-counts" ] && continue
        folder="data/$name"
        [ "$kind" = full ] && folder="$work/$name"
        rm -f "$work/counts.db"*
        "$weft" import --data "$folder" --db "$work/counts.db" | tail -n 1 |
            sed -E "s/.* now holds ([0-9]+) products, ([0-9]+) users, ([0-9]+) interactions, ([0-9]+) product links, ([0-9]+) user links, ([0-9]+) categories, ([0-9]+) brands.*/| \`$name\`$([ "$kind" = full ] && echo ' (full)') | \1 | \2 | \3 | \4 | \5 | \6 | \7 |/"
    done
done
