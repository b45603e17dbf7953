#!/usr/bin/env bash
# Runs `weft bench graph` (Weft GNN on a synthetic 1M-user graph, and
# LightGCN on a 50k-user × 20k-item × 1M-interaction graph) and then a
# hand-written PyTorch LightGCN on the very same 1M pairs (Weft writes them to
# a file; Python checks their count and checksum), in one run, and prints one
# JSON line with both: `lightgcn_epoch_s`, `pytorch_lightgcn_epoch_s`, ...
#
#   Scripts/bench-graph-vs-pytorch.sh [extra `weft bench graph` options]
#
# e.g. `Scripts/bench-graph-vs-pytorch.sh --users 200000 --products 20000 --interactions 2000000`
# scales the large graph down. The PyTorch model follows LightGCN-PyTorch
# (gusye1234/LightGCN-PyTorch, the paper authors' port): one normalised
# sparse COO adjacency, every batch propagates the whole graph 3 layers and
# averages the layers, BPR loss plus L2 1e-4 on the batch's ego embeddings,
# Adam lr 1e-3, batch 4096, dimension 64, uniform negatives redrawn when
# they are positives. THREADS (default: all cores), PYTORCH_EPOCHS (default 1;
# the fastest epoch is reported), PYTORCH_BATCHES (default 0: whole epochs;
# N > 0: time N batches after one warm-up batch and extrapolate to the epoch's
# batch count, since every batch costs the same full-graph propagation; the
# JSON then says so) and WEFT_BENCH_VENV (default
# /tmp/weft-bench-venv, shared with the other bench scripts) may be set;
# torch is installed there from PyPI when missing. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${THREADS:-$(nproc)}"
epochs="${PYTORCH_EPOCHS:-1}"
batch_limit="${PYTORCH_BATCHES:-0}"
. Scripts/bench-venv.sh
bench_venv_require "import torch, numpy" torch numpy

[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product weft >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
.build/release/weft bench graph --threads "$threads" --lightgcn-edges "$work/lightgcn-edges.bin" "$@" \
    | tee "$work/weft.txt" >&2
weft_json="$(tail -n 1 "$work/weft.txt")"

OMP_NUM_THREADS="$threads" "$venv/bin/python" - "$work/lightgcn-edges.bin" "$threads" "$epochs" "$weft_json" "$batch_limit" <<'PY'
import json, sys, time

import numpy as np
import torch
import torch.nn.functional as F

path, threads, epochs, weft = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
batch_limit = int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)
rng = np.random.default_rng(0)

pairs = np.fromfile(path, dtype="<i4").reshape(-1, 2)
users, items = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
n = len(users)
k = np.arange(n, dtype=np.uint64)
checksum = int(((users.astype(np.uint64) * np.uint64(1000003) + items.astype(np.uint64) + np.uint64(1))
                * (np.uint64(2) * k + np.uint64(1))).sum(dtype=np.uint64))
assert n == weft["lightgcn_interactions"], f"{n} pairs in the file, Weft reported {weft['lightgcn_interactions']}"
assert str(checksum) == weft["lightgcn_edge_checksum"], f"checksum {checksum} != Weft's {weft['lightgcn_edge_checksum']}"
U, I, D, B, LAYERS, REG = weft["lightgcn_users"], weft["lightgcn_items"], 64, 4096, 3, 1e-4

# Â = D^{-1/2} A D^{-1/2} over users ∪ items, both directions, as one sparse COO matrix.
du = np.bincount(users, minlength=U).astype(np.float32)
di = np.bincount(items, minlength=I).astype(np.float32)
w = 1 / np.sqrt(du[users] * di[items])
rows = np.concatenate([users, U + items])
cols = np.concatenate([U + items, users])
adjacency = torch.sparse_coo_tensor(torch.from_numpy(np.stack([rows, cols])), torch.from_numpy(np.concatenate([w, w])),
                                    (U + I, U + I)).coalesce()

embedding = torch.nn.Embedding(U + I, D)
torch.nn.init.normal_(embedding.weight, std=0.1)
optimizer = torch.optim.Adam(embedding.parameters(), lr=1e-3)
positive_keys = np.sort(users * I + items)


def propagate():
    e = embedding.weight
    layers = [e]
    for _ in range(LAYERS):
        e = torch.sparse.mm(adjacency, e)
        layers.append(e)
    return torch.stack(layers, dim=1).mean(dim=1)


def negatives(batch_users):
    neg = rng.integers(0, I, size=len(batch_users))
    while True:
        keys = batch_users * I + neg
        hit = positive_keys[np.minimum(np.searchsorted(positive_keys, keys), n - 1)] == keys
        if not hit.any():
            return neg
        neg[hit] = rng.integers(0, I, size=int(hit.sum()))


def train_batch(idx):
    bu, bp = users[idx], items[idx]
    bn = negatives(bu)
    tu, tp, tn = torch.from_numpy(bu), torch.from_numpy(U + bp), torch.from_numpy(U + bn)
    out = propagate()
    u, p, q = out[tu], out[tp], out[tn]
    loss = -F.logsigmoid((u * p).sum(1) - (u * q).sum(1)).mean()
    ego = embedding.weight
    loss = loss + REG * (ego[tu].pow(2).sum() + ego[tp].pow(2).sum() + ego[tn].pow(2).sum()) / (2 * len(idx))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


batches_per_epoch = (n + B - 1) // B
times = []
for epoch in range(epochs):
    order = rng.permutation(n)
    if batch_limit > 0:
        train_batch(order[:B])  # warm-up
    start = time.perf_counter()
    loss_sum, done = 0.0, 0
    for b in range(0, n, B):
        if batch_limit > 0 and done == batch_limit:
            break
        loss_sum += train_batch(order[b:b + B])
        done += 1
    elapsed = time.perf_counter() - start
    times.append(elapsed * batches_per_epoch / done)
    note = f" (extrapolated from {done} of {batches_per_epoch} batches)" if done < batches_per_epoch else ""
    print(f"PyTorch LightGCN epoch {epoch + 1}: {times[-1]:.1f} s{note}, loss {loss_sum / done:.4f}", file=sys.stderr)

best = min(times)
summary = dict(weft)
summary["pytorch_lightgcn_epoch_s"] = round(best, 2)
summary["pytorch_lightgcn_epochs_s"] = [round(t, 2) for t in times]
summary["pytorch_version"] = torch.__version__
summary["pytorch_lightgcn_extrapolated_from_batches"] = batch_limit if 0 < batch_limit < batches_per_epoch else 0
summary["lightgcn_speedup_over_pytorch"] = round(best / weft["lightgcn_epoch_s"], 2)
print(f"LightGCN {U} users x {I} items x {n} pairs, {threads} threads: Weft {weft['lightgcn_epoch_s']:.2f} s/epoch, "
      f"PyTorch {best:.2f} s/epoch ({best / weft['lightgcn_epoch_s']:.1f}x)", file=sys.stderr)
print(json.dumps(summary, sort_keys=True))
PY
