#!/usr/bin/env bash
# Compares Weft's masked-LM training throughput (`weft bench train`, the small
# preset, batch 32 × 128) with Hugging Face `BertForMaskedLM` + `torch.optim.AdamW`
# at the same configuration (vocabulary 16,000, 4 layers, hidden 256, 4 heads,
# FFN 1024, no dropout, 15% of positions labelled), in one run.
#
#   Scripts/bench-train-vs-pytorch.sh [STEPS]
#
# Both sides count the same effective FLOPs (see `weft bench train --help`) and
# compare each timed step with a burst of 1024³ matrix products run right after
# it (cblas_sgemm for Weft, torch.mm for PyTorch). THREADS (default: all cores)
# and WEFT_BENCH_VENV (default /tmp/weft-bench-venv, shared with
# Scripts/bench-vs-pytorch.sh) may be set; torch and transformers are installed
# there from PyPI when missing. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-8}"
threads="${THREADS:-$(nproc)}"
. Scripts/bench-venv.sh
bench_venv_require "import torch, transformers" torch transformers

[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product weft >&2
weft_output="$(mktemp)"
trap 'rm -f "$weft_output"' EXIT
.build/release/weft bench train --steps "$steps" --threads "$threads" | tee "$weft_output" >&2
weft_json="$(tail -n 1 "$weft_output")"

OMP_NUM_THREADS="$threads" "$venv/bin/python" - "$steps" "$threads" "$weft_json" <<'PY'
import json, sys, time

import torch
from transformers import BertConfig, BertForMaskedLM

steps, threads, weft = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
B, T, V, C, L, I = 32, 128, 16000, 256, 4, 1024
config = BertConfig(vocab_size=V, hidden_size=C, num_hidden_layers=L, num_attention_heads=4, intermediate_size=I,
                    max_position_embeddings=T, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
model = BertForMaskedLM(config).train()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01)
non_embedding = L * (4 * C * C + 4 * C + 2 * C * I + I + C + 4 * C)
M = B * round(0.15 * T)
flops = 6 * non_embedding * B * T + 12 * L * B * T * T * C + 6 * M * (C * C + C * V)

def batch():
    ids = torch.randint(5, V, (B, T))
    labels = torch.full((B, T), -100)
    for b in range(B):
        chosen = torch.randperm(T - 2)[: round(0.15 * T)] + 1
        labels[b, chosen] = ids[b, chosen]
        ids[b, chosen] = 4
    return ids, labels

def step():
    ids, labels = batch()
    loss = model(input_ids=ids, labels=labels).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

a, b2 = torch.rand(1024, 1024) * 2 - 1, torch.rand(1024, 1024) * 2 - 1
def burst(seconds):
    reps, start = 0, time.perf_counter()
    while True:
        torch.mm(a, b2)
        reps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return 2 * 1024 ** 3 * reps / elapsed / 1e9

burst(0.5)
for _ in range(2):
    step()
times, ratios, rates = [], [], []
for _ in range(steps):
    start = time.perf_counter()
    step()
    seconds = time.perf_counter() - start
    rate = burst(min(seconds, 2.0))
    times.append(seconds)
    rates.append(rate)
    ratios.append(flops / seconds / 1e9 / rate)
median = lambda xs: sorted(xs)[len(xs) // 2]
tokens_per_s = B * T * steps / sum(times)
print(f"PyTorch {torch.__version__} BertForMaskedLM + AdamW: {sum(times) / steps:.3f} s per step, "
      f"{tokens_per_s:.0f} tokens/s, median ratio to the torch.mm burst after each step {median(ratios):.3f} "
      f"(bursts {median(rates):.1f} GFLOP/s)", file=sys.stderr)
print(json.dumps({
    "weft_tokens_per_s": weft["tokens_per_s"], "weft_ratio": weft["ratio"], "weft_sgemm_gflops": weft["sgemm_gflops"],
    "pytorch_tokens_per_s": round(tokens_per_s, 1), "pytorch_ratio": round(median(ratios), 3),
    "pytorch_mm_gflops": round(median(rates), 1), "speedup": round(weft["tokens_per_s"] / tokens_per_s, 3),
    "threads": threads,
}, sort_keys=True))
PY
