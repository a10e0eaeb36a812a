"""
Reads the dataset folder written by the TypeScript builder (`npx motif dataset`, format motif-dataset-v1) and turns it
into padded training batches.

Per split S: S.music.bin / S.text.bin (uint16 LE tokens, concatenated), S.music.idx / S.text.idx (int64 LE offsets,
n+1 entries) and S.captions.idx (int64, n+1 entries: example i owns captions [idx[i], idx[i+1]) ).
"""
import json
from pathlib import Path

import numpy as np
import torch

FORMAT = "motif-dataset-v1"
SPLITS = ("train", "validation", "test")


class DatasetError(Exception):
    pass


def read_index(folder):
    path = Path(folder) / "index.json"
    if not path.exists():
        raise DatasetError(f"{path} does not exist: build the dataset first (npx motif dataset)")
    index = json.loads(path.read_text())
    if index.get("format") != FORMAT:
        raise DatasetError(f"{path}: format is {index.get('format')!r}, expected {FORMAT!r}")
    return index


def _offsets(path, expected_entries, data_length):
    offsets = np.fromfile(path, dtype="<i8")
    if len(offsets) != expected_entries:
        raise DatasetError(f"{path}: {len(offsets)} offsets, expected {expected_entries}")
    if offsets[0] != 0 or offsets[-1] != data_length or np.any(np.diff(offsets) < 0):
        raise DatasetError(f"{path}: offsets are not a non-decreasing run from 0 to {data_length}")
    return offsets


def _tokens(path):
    if path.stat().st_size == 0:
        return np.zeros(0, dtype="<u2")
    return np.memmap(path, dtype="<u2", mode="r")


class Split:
    """One split, memory-mapped. Checks its files against the index once, on opening."""

    def __init__(self, folder, name, index):
        folder = Path(folder)
        info = index["splits"][name]
        self.name = name
        self.music_vocab = index["music_vocab"]
        self.text_vocab = index["text_vocab"]
        self.music = _tokens(folder / f"{name}.music.bin")
        self.text = _tokens(folder / f"{name}.text.bin")
        n, c = info["examples"], info["captions"]
        self.music_idx = _offsets(folder / f"{name}.music.idx", n + 1, len(self.music))
        self.text_idx = _offsets(folder / f"{name}.text.idx", c + 1, len(self.text))
        self.captions_idx = _offsets(folder / f"{name}.captions.idx", n + 1, c)
        self.lengths = np.diff(self.music_idx)
        if n and (np.any(self.lengths < 2) or np.any(np.diff(self.captions_idx) < 1)):
            raise DatasetError(f"{name}: every example needs at least BOS+EOS and at least one caption")
        if len(self.music) and int(self.music.max()) >= self.music_vocab["size"]:
            raise DatasetError(f"{name}: a music token id is outside the vocabulary of {self.music_vocab['size']}")
        if len(self.text) and int(self.text.max()) >= self.text_vocab["size"]:
            raise DatasetError(f"{name}: a text token id is outside the vocabulary of {self.text_vocab['size']}")

    def __len__(self):
        return len(self.lengths)

    @property
    def tokens(self):
        return int(len(self.music))

    def music_ids(self, i):
        return np.asarray(self.music[self.music_idx[i]:self.music_idx[i + 1]], dtype=np.int64)

    def caption_ids(self, caption):
        return np.asarray(self.text[self.text_idx[caption]:self.text_idx[caption + 1]], dtype=np.int64)

    def caption_range(self, i):
        return int(self.captions_idx[i]), int(self.captions_idx[i + 1])


def collate(split, examples, captions, max_music_len, max_text_len):
    """Pads one batch. examples: example indices; captions: per example a caption index, or None for the empty
    caption. The model reads music[:-1] and predicts music[1:]; pads are 0 in inputs and -100 (ignored) in targets."""
    music_pad, text_pad = split.music_vocab["pad_id"], split.text_vocab["pad_id"]
    music = [split.music_ids(i)[: max_music_len + 1] for i in examples]
    texts = [split.caption_ids(c)[:max_text_len] if c is not None else np.array([split.text_vocab["bos_id"]])
             for c in captions]
    s = max(len(m) for m in music) - 1
    t = max(len(x) for x in texts)
    inputs = np.full((len(music), s), music_pad, dtype=np.int64)
    targets = np.full((len(music), s), -100, dtype=np.int64)
    text_ids = np.full((len(texts), t), text_pad, dtype=np.int64)
    text_mask = np.zeros((len(texts), t), dtype=np.int64)
    for row, (m, x) in enumerate(zip(music, texts)):
        inputs[row, : len(m) - 1] = m[:-1]
        targets[row, : len(m) - 1] = m[1:]
        text_ids[row, : len(x)] = x
        text_mask[row, : len(x)] = 1
    return {
        "text_ids": torch.from_numpy(text_ids),
        "text_mask": torch.from_numpy(text_mask),
        "music_ids": torch.from_numpy(inputs),
        "targets": torch.from_numpy(targets),
    }


def _token_batches(order, lengths, batch_tokens, max_music_len):
    """Cuts example indices (already sorted by length) into batches whose padded size stays within batch_tokens."""
    batches, current, longest = [], [], 0
    for i in order:
        n = min(int(lengths[i]) - 1, max_music_len)
        if current and max(longest, n) * (len(current) + 1) > batch_tokens:
            batches.append(current)
            current, longest = [], 0
        current.append(int(i))
        longest = max(longest, n)
    if current:
        batches.append(current)
    return batches


class TokenBatcher:
    """Endless training batches of about batch_tokens padded tokens each.

    Each epoch is a fresh permutation; it is read in pools of pool_size examples that are sorted by length (so a
    batch holds similar lengths and little padding) and cut into batches, which are then shuffled. Everything is a
    function of (seed, epoch, pool), so the position (epoch, pool, batch) is the whole state a resume needs.
    """

    def __init__(self, split, batch_tokens, max_music_len, max_text_len, caption_dropout, seed, pool_size=2048):
        if len(split) == 0:
            raise DatasetError(f"split {split.name} is empty")
        self.split = split
        self.batch_tokens = batch_tokens
        self.max_music_len = max_music_len
        self.max_text_len = max_text_len
        self.caption_dropout = caption_dropout
        self.seed = seed
        self.pool_size = pool_size
        self.epoch, self.pool, self.batch = 0, 0, 0
        self._pool_key, self._batches = None, None

    def state(self):
        return {"epoch": self.epoch, "pool": self.pool, "batch": self.batch}

    def load_state(self, state):
        self.epoch, self.pool, self.batch = state["epoch"], state["pool"], state["batch"]

    def _pool_batches(self):
        key = (self.epoch, self.pool)
        if self._pool_key != key:
            n = len(self.split)
            order = np.random.default_rng([self.seed, self.epoch]).permutation(n)
            members = order[self.pool * self.pool_size:(self.pool + 1) * self.pool_size]
            members = members[np.argsort(self.split.lengths[members], kind="stable")]
            batches = _token_batches(members, self.split.lengths, self.batch_tokens, self.max_music_len)
            rng = np.random.default_rng([self.seed, self.epoch, self.pool])
            self._batches = [batches[j] for j in rng.permutation(len(batches))]
            self._pool_key = key
        return self._batches

    def next(self):
        batches = self._pool_batches()
        examples = batches[self.batch]
        rng = np.random.default_rng([self.seed, self.epoch, self.pool, self.batch, 1])
        captions = []
        for i in examples:
            lo, hi = self.split.caption_range(i)
            dropped = rng.random() < self.caption_dropout
            captions.append(None if dropped else int(rng.integers(lo, hi)))
        self.batch += 1
        if self.batch == len(batches):
            self.batch = 0
            self.pool += 1
            if self.pool * self.pool_size >= len(self.split):
                self.pool = 0
                self.epoch += 1
        return collate(self.split, examples, captions, self.max_music_len, self.max_text_len)


def evaluation_batches(split, batch_tokens, max_music_len, max_text_len, max_examples=None, seed=1234):
    """A fixed set of batches over max_examples examples spread evenly over the split (all when None; the split is
    in source order, so the first n would all come from one collection), one caption each chosen by a fixed seed, no
    caption dropout: the same numbers every time they are asked for."""
    n = len(split) if max_examples is None else min(len(split), max_examples)
    members = np.unique(np.linspace(0, len(split) - 1, n).round().astype(np.int64)) if n else np.arange(0)
    members = members[np.argsort(split.lengths[members], kind="stable")]
    rng = np.random.default_rng(seed)
    chosen = {int(i): int(rng.integers(*split.caption_range(int(i)))) for i in members}
    for examples in _token_batches(members, split.lengths, batch_tokens, max_music_len):
        yield collate(split, examples, [chosen[i] for i in examples], max_music_len, max_text_len)
