#!/usr/bin/env bash
# Pretrains the `small` encoder (4 layers, hidden 256, 4 heads, FFN 1024) with
# the masked-LM objective on the english_text folder of the shared data set.
#
#   Scripts/pretrain-weft-small.sh PATH/TO/english_text OUTPUT_FOLDER [--resume] [more weft pretrain options]
#
# Held out: modern_english/wikipedia/wiki_31 (also held out of the tokenizer),
# for the held-out masked accuracy and `weft mlm-eval`. Left out: Brown and
# MASC (every word carries a /TAG). Run it in the background (nohup ... &);
# SIGINT or SIGTERM stop it with a checkpoint, and the same command with
# --resume continues it exactly.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${1:-}"
out="${2:-}"
if [ -z "$corpus" ] || [ -z "$out" ] || [ ! -d "$corpus/modern_english/wikipedia" ]; then
    echo "usage: Scripts/pretrain-weft-small.sh PATH/TO/english_text OUTPUT_FOLDER [--resume] [options]" >&2
    exit 1
fi
shift 2

[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product weft >/dev/null

exec .build/release/weft pretrain \
    --corpus "$corpus" \
    --exclude "$corpus/modern_english/nltk/brown.zip" "$corpus/modern_english/nltk/masc_tagged.zip" \
    --held-out "$corpus/modern_english/wikipedia/wiki_31" \
    --tokenizer tokenizers/weft-general-16k.model \
    --preset small --out "$out" \
    --steps 10000 --batch-size 32 --max-length 128 --lr 0.0005 --warmup 1000 \
    --checkpoint-every 250 --eval-every 500 --eval-sequences 256 --seed 1 "$@"
