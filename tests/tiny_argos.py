"""A tiny but real Argos Translate package, built from scratch for the tests.

Real `.argosmodel` files are 60-100 MB downloads; the tests run offline and must stay fast.
So this builds the same kind of package Argos installs: a zip holding one folder with
`metadata.json`, a CTranslate2 Transformer in `model/` (random weights, a few hundred KB)
and a SentencePiece model trained here on generated text in the two languages.  The
translations it makes are garbage, which is the point: everything around the model
(installing, tokenizing, batching, caching, pivoting, protecting names, re-splitting into
cues) is exercised for real, and name protection is tested against a model that does not
cooperate."""

from __future__ import annotations

import io
import json
import random
import tempfile
import zipfile
from pathlib import Path

import numpy as np

# A few words per language, so SentencePiece learns pieces in each script and the model's
# output looks like the target language's alphabet.
WORDS = {
    "en": "the watch lamp fan price today only code link below battery week light warm desk pocket "
          "hours quiet cable cart chat thank you for watching next show buy now great deal".split(),
    "ru": "часы лампа вентилятор цена сегодня только код ссылка ниже батарея неделя свет тёплый стол "
          "карман часов тихий кабель корзина чат спасибо за просмотр следующий эфир купить".split(),
    "es": "el reloj lámpara ventilador precio hoy solo código enlace abajo batería semana luz cálida "
          "escritorio bolsillo horas silencioso cable carrito gracias por ver".split(),
    "pl": "zegarek lampa wentylator cena dzisiaj tylko kod link poniżej bateria tydzień światło ciepłe "
          "biurko kieszeń godzin cichy kabel koszyk dziękuję za oglądanie".split(),
    "uk": "годинник лампа вентилятор ціна сьогодні лише код посилання нижче батарея тиждень світло "
          "теплий стіл кишеня годин тихий кабель кошик дякую за перегляд".split(),
    "pt": "o relógio luminária ventilador preço hoje só código link abaixo bateria semana luz quente "
          "mesa bolso horas silencioso cabo carrinho obrigado por assistir".split(),
    "fr": "la montre lampe ventilateur prix aujourd'hui seulement code lien ci-dessous batterie semaine "
          "lumière chaude bureau poche heures silencieux câble panier merci d'avoir regardé".split(),
    "it": "orologio lampada ventilatore prezzo oggi solo codice link sotto batteria settimana luce calda "
          "scrivania tasca ore silenzioso cavo carrello grazie per la visione".split(),
}
NAMES = {"en": "English", "ru": "Russian", "es": "Spanish", "pl": "Polish", "uk": "Ukrainian", "pt": "Portuguese",
         "fr": "French", "it": "Italian"}
SPECIAL = ["<blank>", "<unk>", "<s>", "</s>"]  # OpenNMT's vocabulary head, as Argos models have it


def _corpus(codes: tuple[str, ...], rng: random.Random) -> list[str]:
    lines = []
    for code in codes:
        for _ in range(400):
            words = rng.choices(WORDS[code], k=rng.randint(3, 12))
            lines.append(" ".join(words).capitalize() + rng.choice([".", "!", "?", ","]) + f" {rng.randint(1, 99)}")
    return lines


def _sentencepiece(codes: tuple[str, ...], rng: random.Random) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_corpus(codes, rng)), model_writer=model, vocab_size=160,
        model_type="unigram", character_coverage=1.0, num_threads=1, seed_sentencepiece_size=2000,
        shuffle_input_sentence=False, minloglevel=2)
    return model.getvalue()


def _transformer(folder: Path, pieces: list[str], seed: int, eos_bias: float) -> None:
    from ctranslate2.specs import transformer_spec

    rng = np.random.default_rng(seed)
    depth, ffn, vocab = 32, 64, len(pieces)
    spec = transformer_spec.TransformerSpec.from_config((1, 1), 2)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32)

    def norm(layer) -> None:
        layer.gamma = np.ones(depth, np.float32)
        layer.beta = np.zeros(depth, np.float32)

    encoder, decoder = spec.encoder, spec.decoder
    encoder.embeddings[0].weight = weights(vocab, depth)
    decoder.embeddings.weight = weights(vocab, depth)
    for layer in encoder.layer:
        layer.self_attention.linear[0].weight = weights(3 * depth, depth)
        layer.self_attention.linear[1].weight = weights(depth, depth)
        norm(layer.self_attention.layer_norm)
    for layer in decoder.layer:
        layer.self_attention.linear[0].weight = weights(3 * depth, depth)
        layer.self_attention.linear[1].weight = weights(depth, depth)
        norm(layer.self_attention.layer_norm)
        layer.attention.linear[0].weight = weights(depth, depth)
        layer.attention.linear[1].weight = weights(2 * depth, depth)
        layer.attention.linear[2].weight = weights(depth, depth)
        norm(layer.attention.layer_norm)
    for layer in [*encoder.layer, *decoder.layer]:
        layer.ffn.linear_0.weight = weights(ffn, depth)
        layer.ffn.linear_1.weight = weights(depth, ffn)
        norm(layer.ffn.layer_norm)
    norm(encoder.layer_norm)
    norm(decoder.layer_norm)
    decoder.projection.weight = weights(vocab, depth) * 4
    # Random weights rarely choose the end token; a bias on it keeps the garbage
    # sentence-sized, as a real model's output is.
    bias = np.zeros(vocab, np.float32)
    bias[pieces.index("</s>")] = eos_bias
    bias[pieces.index("<unk>")] = -10.0
    bias[pieces.index("<blank>")] = -10.0
    decoder.projection.bias = bias
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    spec.validate()
    spec.optimize(quantization=None)
    spec.save(str(folder))


def build_argosmodel(target: Path, from_code: str, to_code: str, seed: int = 0, version: str = "0.1",
                     eos_bias: float = 2.0) -> Path:
    """Write `target` (a .argosmodel zip) translating `from_code` to `to_code`."""
    import sentencepiece as spm

    rng = random.Random(f"{from_code}-{to_code}-{seed}")
    sp_bytes = _sentencepiece((from_code, to_code), rng)
    processor = spm.SentencePieceProcessor(model_proto=sp_bytes)
    pieces = SPECIAL + [processor.id_to_piece(i) for i in range(processor.get_piece_size())
                        if processor.id_to_piece(i) not in SPECIAL]
    name = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / name
        (root / "model").mkdir(parents=True)
        _transformer(root / "model", pieces, seed, eos_bias)
        (root / "sentencepiece.model").write_bytes(sp_bytes)
        (root / "metadata.json").write_text(json.dumps({
            "package_version": version, "argos_version": "1.9", "type": "translate",
            "from_code": from_code, "from_name": NAMES[from_code], "to_code": to_code, "to_name": NAMES[to_code],
            "links": [],
        }))
        (root / "README.md").write_text("A tiny random-weight model for tests. Its translations are meaningless.\n")
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                archive.write(path, path.relative_to(Path(tmp)).as_posix())
    return target
