"""
Reads a preference file (format motif-preference-v1, docs/PREFERENCES.md: `npx motif export-preferences` and
`npx motif auto-preferences` write it) and turns its pairs into padded batches for dpo.py.

Each pair holds the caption's text ids, the full token ids of the chosen and the rejected take, and how many leading
tokens of each the engine forced (the header, a kept prefix): only the tokens after those carry the preference.
"""
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import torch

FORMAT = "motif-preference-v1"
SOURCES = ("votes", "automatic")


class PreferenceError(Exception):
    pass


@dataclass
class Side:
    tokens: list
    forced: int


@dataclass
class Pair:
    prompt: str
    source: str
    text_ids: list
    chosen: Side
    rejected: Side


def file_sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_pairs(path, text_tokenizer, music_vocab, text_vocab, max_music_len):
    """The pairs of a file, checked: its format, its text tokenizer (the model's, by hash) and its ids. Takes longer
    than the model's context are cut to it (the preference then covers their first max_music_len + 1 tokens); a pair
    with nothing left to learn from after the forced tokens is dropped. Returns (pairs, dropped)."""
    pairs, dropped = [], 0
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise PreferenceError(f"{where}: not JSON ({error})")
        if raw.get("format") != FORMAT:
            raise PreferenceError(f"{where}: format {raw.get('format')!r}, expected {FORMAT!r}")
        if raw.get("textTokenizer") != text_tokenizer:
            raise PreferenceError(f"{where}: text ids from tokenizer {raw.get('textTokenizer')}, but the model's is "
                                  f"{text_tokenizer}: export the pairs with --model naming the model DPO starts from")
        if raw.get("source") not in SOURCES:
            raise PreferenceError(f"{where}: source {raw.get('source')!r} is not one of {SOURCES}")
        text_ids = raw["textIds"]
        if not text_ids or max(text_ids) >= text_vocab or min(text_ids) < 0:
            raise PreferenceError(f"{where}: a text id is outside the model's {text_vocab}")
        sides = []
        for name in ("chosen", "rejected"):
            side = raw[name]
            tokens = side["tokens"]
            if len(tokens) < 2 or max(tokens) >= music_vocab or min(tokens) < 0:
                raise PreferenceError(f"{where}: {name} tokens are not a sequence in the model's {music_vocab} ids")
            if not 0 < side["forced"] <= len(tokens):
                raise PreferenceError(f"{where}: {name} forced {side['forced']} is not within its {len(tokens)} tokens")
            sides.append(Side(tokens[: max_music_len + 1], side["forced"]))
        if any(side.forced >= len(side.tokens) for side in sides):
            dropped += 1
            continue
        pairs.append(Pair(raw["prompt"], raw["source"], text_ids, *sides))
    return pairs, dropped


def split_heldout(pairs, fraction, seed):
    """Pairs of a share of the prompts (at least one prompt when there are two or more), kept apart for preference
    accuracy and KL: split by prompt, so no held-out caption is trained on."""
    prompts = sorted({pair.prompt for pair in pairs})
    random.Random(seed).shuffle(prompts)
    count = round(fraction * len(prompts))
    if fraction > 0 and len(prompts) >= 2:
        count = min(max(count, 1), len(prompts) - 1)
    heldout = set(prompts[:count])
    return [p for p in pairs if p.prompt not in heldout], [p for p in pairs if p.prompt in heldout]


def collate(pairs, music_pad=0, text_pad=0):
    """A batch of 2B rows: the chosen takes, then the rejected ones, each with the caption of its pair. The model reads
    tokens[:-1] and predicts tokens[1:]; `learn` is 1 at the targets after the forced tokens (target k is token
    k + 1, learnt when k + 1 >= forced)."""
    sides = [pair.chosen for pair in pairs] + [pair.rejected for pair in pairs]
    texts = [pair.text_ids for pair in pairs] * 2
    s = max(len(side.tokens) for side in sides) - 1
    t = max(len(text) for text in texts)
    music_ids = torch.full((len(sides), s), music_pad, dtype=torch.long)
    targets = torch.zeros((len(sides), s), dtype=torch.long)
    learn = torch.zeros((len(sides), s))
    text_ids = torch.full((len(sides), t), text_pad, dtype=torch.long)
    text_mask = torch.zeros((len(sides), t), dtype=torch.long)
    for row, (side, text) in enumerate(zip(sides, texts)):
        n = len(side.tokens) - 1
        music_ids[row, :n] = torch.tensor(side.tokens[:-1])
        targets[row, :n] = torch.tensor(side.tokens[1:])
        learn[row, side.forced - 1:n] = 1.0
        text_ids[row, : len(text)] = torch.tensor(text)
        text_mask[row, : len(text)] = 1
    return {"text_ids": text_ids, "text_mask": text_mask, "music_ids": music_ids, "targets": targets, "learn": learn}


def batches(pairs, batch_pairs):
    for start in range(0, len(pairs), batch_pairs):
        yield pairs[start:start + batch_pairs]
