#!/usr/bin/env python3
"""Writes the finance-domain text of the shared data set as plain lines, one
sentence per line, for the masked-LM phase of `weft finetune --text`.

    python3 Scripts/prepare-finance-text.py PATH/TO/finance_text OUTPUT.txt

Financial PhraseBank (Sentences_50Agree.txt): the sentence without its
"@label" suffix. FiQA 2018 task 1 (FiQA_post.json): each post's "sentence".
SemEval-2017 task 5 (SemEval2017Task5Headlines.json): each headline's "title".
"""
import json
import sys
from pathlib import Path


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: prepare-finance-text.py PATH/TO/finance_text OUTPUT.txt")
    root, output = Path(sys.argv[1]), Path(sys.argv[2])
    lines = []
    phrasebank = root / "financial_phrasebank" / "Sentences_50Agree.txt"
    for raw in phrasebank.read_text(encoding="utf-8-sig", errors="replace").splitlines():
        sentence = raw.rsplit("@", 1)[0].strip()
        if sentence:
            lines.append(sentence)
    posts = json.loads((root / "fiqa_semeval" / "FiQA_post.json").read_text(encoding="utf-8"))
    lines += [p["sentence"].strip() for p in posts.values() if p.get("sentence", "").strip()]
    headlines = json.loads((root / "fiqa_semeval" / "SemEval2017Task5Headlines.json").read_text(encoding="utf-8"))
    lines += [h["title"].strip() for h in headlines if h.get("title", "").strip()]
    cleaned = [" ".join(line.split()) for line in lines]
    output.write_text("\n".join(cleaned) + "\n", encoding="utf-8")
    print(f"{output}: {len(cleaned)} lines")


if __name__ == "__main__":
    main()
