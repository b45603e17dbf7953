#!/usr/bin/env python3
"""Writes Tests/Fixtures/wordpiece_extra.json: the ids Hugging Face's `tokenizers`
gives all-MiniLM-L6-v2's BERT uncased WordPiece tokenizer for the texts below.

The Swift WordPieceTokenizer must reproduce them exactly. Run outside the repo's
Python environment, e.g.:

    python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install tokenizers
    bash Scripts/fetch-pretrained.sh
    /tmp/tokvenv/bin/python Scripts/make-wordpiece-fixture.py

Per text the fixture holds `ids` (with [CLS]/[SEP], no truncation),
`ids_right_16` / `ids_left_16` (truncated to 16 ids on the right / left) and
`decoded` (tokenizer.decode(ids), special tokens skipped).
"""
import json
import os
import sys

try:
    import tokenizers
    from tokenizers import Tokenizer
except ImportError:
    sys.exit("make-wordpiece-fixture.py: needs `pip install tokenizers` (use a venv outside the repo)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "models", "external", "all-MiniLM-L6-v2", "tokenizer.json")
OUTPUT = os.path.join(ROOT, "Tests", "Fixtures", "wordpiece_extra.json")

TEXTS = [
    "Premium stainless-steel water bottle (750 ml), keeps drinks cold for 24 hours!",
    "Über-cool Škoda Octavia: naïve façade, coöperate, jalapeño, smörgåsbord, Ærø.",
    "ΣΊΣΥΦΟΣ και η ΟΔΟΣ — Greek capitals with final sigma ΟΔΟΣ.",
    "İstanbul'da ışık; Turkish dotted İ and dotless ı, plus German Straße / STRASSE / ẞ.",
    "日本語のテキストと漢字、ひらがな、カタカナが混ざった文です。",
    "中文产品描述：高品质不锈钢保温杯，容量500毫升。",
    "한국어 상품 설명: 스테인리스 보온병, 500ml 용량입니다.",
    "Emoji galore 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇺🇸🇫🇷 ❤️ 🥲 🫠 done",
    "Pricing: $19.99, €15,50, £12, ¥1500, ₹999 and ₿0.001 — all-inclusive.",
    "Email me at jane.doe+shop@example.co.uk or visit https://shop.example.com/item?id=42&ref=home#top",
    "<p>HTML <b>bold</b> &amp; <i>italic</i> text</p>",
    "Tabs\tand\nnewlines\r\nand   multiple    spaces",
    "Non\u00a0breaking\u2009thin\u200bzero\u2028line\u2029para\u3000ideographic",
    "Control\x00chars\x01here\x07and\x1b[0m escape\x7f delete\x0bvt\x0cff\x85nel",
    "Replacement \ufffd character and private use \ue000\uf8ff and unassigned \u0378\U000e0000",
    "Soft\u00adhyphen, zero\u200dwidth\u200cjoiners, and left\u200eto\u200fright marks",
    "Combining: e\u0301 a\u0308 n\u0303 o\u0302\u0323 and precomposed é ä ñ ộ",
    "Ligatures ﬁ ﬂ ﬀ and fullwidth ＡＢＣ１２３ and circled ① ② and superscript x² H₂O",
    "Mathematical 𝐁𝐨𝐥𝐝 and 𝔉𝔯𝔞𝔨𝔱𝔲𝔯 letters, ∑ ∫ √ ∞ ≠ ≤ ≥ ± × ÷",
    "Arabic: منتج عالي الجودة بسعر مناسب",
    "Hebrew: מוצר איכותי במחיר טוב",
    "Devanagari: उच्च गुणवत्ता वाला उत्पाद, किफ़ायती कीमत",
    "Thai: สินค้าคุณภาพดี ราคาถูก",
    "Cyrillic: Высококачественный продукт по доступной цене, ЁЖИК и ёжик",
    "Vietnamese: Sản phẩm chất lượng cao với giá cả phải chăng",
    "Pneumonoultramicroscopicsilicovolcanoconiosis and supercalifragilisticexpialidocious are long words",
    "a" * 100,
    "b" * 101,
    "x" * 99 + "é",
    "Supercalifragilistic" * 6 + " tail",
    "Special tokens inline: [CLS] hello [SEP] world [MASK] end [PAD] [UNK] [cls] [Mask]",
    "Glued specials: abc[MASK]def and ([SEP]) and [[CLS]]",
    "Punctuation soup: ¡Hola! ¿Qué? «quotes» „German“ ‚single‘ “curly” ‘apostrophe’ … ‽ ⁂ § ¶ † ‡ • ‰",
    "Dashes – — ― ‐ ‑ ‒ and brackets ⟨angle⟩ 【lenticular】 「corner」 『white』 〈〉",
    "Don't you're we've I'm it's can't won't shouldn't y'all o'clock rock'n'roll",
    "Numbers: 3.14159, 1,000,000, 1e-10, 0x1F, 50%, 1/2, ½, ¾, 2nd, 3rd, 21st, #1, No.5",
    "SKU-AB12-CD34/XL; model#X-100; ISBN 978-3-16-148410-0; part_no=A_B_C",
    "ALL CAPS PRODUCT TITLE WITH MIXED CaSe AND cAmElCaSe iPhone eBay McDonald's",
    "",
    "   ",
    "\t\n\r",
    ".",
    "🎁",
    "Ω ohm sign and Å angstrom sign and K kelvin sign and ; greek question mark",
    "Hangul jamo 각 and compatibility ㄱㅏ and syllable 각",
    "Japanese halfwidth ｶﾀｶﾅ and fullwidth punctuation ！？（）",
    "CJK compatibility 豈 更 and extension B 𠀀 𠀁 and radicals ⺀ ⼀",
    "Music 𝄞 𝅘𝅥𝅮 and Linear B 𐀀 and Egyptian 𓀀 hieroglyphs",
    "Mixed scripts: Tokyo東京Paris巴黎London伦敦",
    "Repeated!!!??? punctuation... and ellipsis… and dots. . .",
    "Quotes \"double\" 'single' `backtick` and slashes \\ / | and @#$%^&*()_+-=[]{};:<>,.?~",
    "A product review: This blender is AMAZING!!! 10/10 would buy again :) :-( ;-) <3",
    "The café's crème brûlée costs 7€ — très délicieux! Naïve résumé of Zoë's piñata.",
]


def main():
    if not os.path.exists(MODEL):
        sys.exit(f"make-wordpiece-fixture.py: {MODEL} is missing; run Scripts/fetch-pretrained.sh first")
    records = []
    for text in TEXTS:
        tokenizer = Tokenizer.from_file(MODEL)
        tokenizer.no_truncation()
        tokenizer.no_padding()
        full = tokenizer.encode(text)
        record = {"text": text, "ids": full.ids, "decoded": tokenizer.decode(full.ids)}
        for direction in ("right", "left"):
            tokenizer.enable_truncation(16, direction=direction)
            record[f"ids_{direction}_16"] = tokenizer.encode(text).ids
        records.append(record)
    fixture = {
        "source": "Hugging Face tokenizers " + tokenizers.__version__
        + ", all-MiniLM-L6-v2 tokenizer.json (BertNormalizer lowercase, BertPreTokenizer, WordPiece)",
        "generator": "Scripts/make-wordpiece-fixture.py",
        "records": records,
    }
    # One record per line keeps the fixture readable and its diffs small.
    with open(OUTPUT, "w", encoding="utf-8") as file:
        file.write("{\n")
        file.write(f' "source": {json.dumps(fixture["source"])},\n')
        file.write(f' "generator": {json.dumps(fixture["generator"])},\n')
        file.write(' "records": [\n')
        file.write(",\n".join("  " + json.dumps(record, ensure_ascii=True) for record in records))
        file.write("\n ]\n}\n")
    print(f"wrote {len(records)} records to {OUTPUT}")


if __name__ == "__main__":
    main()
