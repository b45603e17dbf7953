#!/usr/bin/env bash
# usage: run.sh NAME [evaluate options...]: weft+tl+gnn, cold, 10 folds, seed 42, four cuts
name=$1; shift
W=/tmp/weft-amazon-ablation; out=/tmp/cold-sweep/$name; mkdir -p $out
for cut in gift-cards magazines gift-cards-full magazines-full; do
  case $cut in *-full) data=$W/amazon2018-$cut;; *) data=/work/main/data/amazon2018-$cut;; esac
  ${WEFT:-/tmp/weft-bin2} evaluate --data $data --protocol ${PROTOCOL:-cold} $( [ "${PROTOCOL:-cold}" = cold ] && echo --cold-folds 10) --seed 42 --models weft+tl+gnn \
    --text-embeddings $W/$cut-weft-tl.jsonl "$@" --output $out/$cut.json > /dev/null 2> $out/$cut.log
done
python3 - $out <<'PY'
import json,sys
d=sys.argv[1]; v=[];t=[]
for cut in ['gift-cards','magazines','gift-cards-full','magazines-full']:
    r=json.load(open(f'{d}/{cut}.json')); m=r['models'][0]
    v.append(m['validation_metrics']['ndcg@10']); t.append(m['metrics']['ndcg@20'])
print(d, 'val ndcg@10', ' '.join('%.4f'%x for x in v), 'mean %.4f'%(sum(v)/4), '| test ndcg@20', ' '.join('%.4f'%x for x in t))
PY
