#!/usr/bin/env bash
# Pretrains the `small` encoder (4 pre-LN layers, hidden 256, 4 heads, FFN
# 1024) with the masked-LM objective on the english_text folder of the shared
# data set, in two phases (docs/PRETRAINING.md says why):
#
#   1. 32-token sequences, batch 128 (4,096 tokens a step), OUT/phase1;
#   2. 128-token sequences, batch 32, starting from phase 1's model
#      (--initial-model), OUT/phase2. OUT/phase2/model is models/weft-small.
#
#   Scripts/pretrain-weft-small.sh PATH/TO/english_text OUT [--resume]
#
# Held out: modern_english/wikipedia/wiki_31 (also held out of the tokenizer),
# for the held-out masked accuracy and `weft mlm-eval`. Left out: Brown and
# MASC (every word carries a /TAG). Run it in the background (nohup ... &);
# SIGINT or SIGTERM stop the running phase with a checkpoint, and the same
# command with --resume continues where it stopped (a finished phase 1 is
# not run again). PHASE1_STEPS and PHASE2_STEPS override the step counts.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${1:-}"
out="${2:-}"
resume="${3:-}"
if [ -z "$corpus" ] || [ -z "$out" ] || [ ! -d "$corpus/modern_english/wikipedia" ] \
    || { [ -n "$resume" ] && [ "$resume" != "--resume" ]; }; then
    echo "usage: Scripts/pretrain-weft-small.sh PATH/TO/english_text OUT [--resume]" >&2
    exit 1
fi

[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product weft >/dev/null
weft=.build/release/weft

common=(--corpus "$corpus"
        --exclude "$corpus/modern_english/nltk/brown.zip" "$corpus/modern_english/nltk/masc_tagged.zip"
        --held-out "$corpus/modern_english/wikipedia/wiki_31"
        --tokenizer tokenizers/weft-general-16k.model
        --preset small --layer-norm pre --checkpoint-every 250 --eval-every 250 --seed 1)

# A phase resumes only if it has a checkpoint; a finished phase has its model folder.
phase_resume() { [ -n "$resume" ] && [ -d "$1/checkpoints" ] && ls "$1/checkpoints" | grep -q step- && echo --resume || true; }

if [ ! -f "$out/phase1/model/model.safetensors" ]; then
    "$weft" pretrain "${common[@]}" --out "$out/phase1" \
        --steps "${PHASE1_STEPS:-12000}" --batch-size 128 --max-length 32 --lr 0.001 --warmup 300 \
        --eval-sequences 512 $(phase_resume "$out/phase1")
fi
# Phase 2 reuses phase 1's tokenized corpus instead of tokenizing again.
if [ ! -d "$out/phase2/corpus-cache" ] && [ -d "$out/phase1/corpus-cache" ]; then
    mkdir -p "$out/phase2" && cp -r "$out/phase1/corpus-cache" "$out/phase2/"
fi
"$weft" pretrain "${common[@]}" --out "$out/phase2" --initial-model "$out/phase1/model" \
    --steps "${PHASE2_STEPS:-4000}" --batch-size 32 --max-length 128 --lr 0.0005 --warmup 200 \
    --eval-sequences 256 $(phase_resume "$out/phase2")
echo "models/weft-small: $out/phase2/model"
