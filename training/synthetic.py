"""
A small synthetic dataset of repeated rhythms, written in the dataset format that train.py reads (motif-dataset-v1),
for the rhythm check (tests/rhythm-check.test.ts, training/README.md): can the model learn where notes fall?

Every piece is 8 bars of 4/4 that repeat one of a few onset patterns (drums and a piano chord at each onset), with
its own tempo, pitches and drum sounds. The patterns share positions, so the next onset is known only from where the
bar is and which pattern is playing; after a bar or two both are in the context. A model that reads its sequence
correctly brings the "which position" loss near zero within a few hundred small steps.

    /usr/bin/python3 training/synthetic.py --out data/rhythm-check [--patterns 6] [--pieces 400]
"""
import argparse
import json
from pathlib import Path

import numpy as np

from vocab import BAR, BOS, EOS, INST_DRUMS, VOCAB_SIZE, token_id

SIXTEENTH_SLOTS = (0, 2, 4, 6)  # slot indices (docs/tokens.md) of ticks 0, 3, 6, 9 of a quarter
TRIPLET_SLOTS = (0, 3, 5)  # slot indices of ticks 0, 4, 8 of a quarter (eighth-note triplets)
BARS = 8
KEY_C_MAJOR = token_id("key", 0)
SPLITS = {"train": 0.8, "validation": 0.1, "test": 0.1}


def make_patterns(rng, count):
    """Onset positions (POS_k values) of each pattern in a 4/4 bar: 5-10 onsets on sixteenths, some on triplets."""
    patterns = set()
    while len(patterns) < count:
        slots = TRIPLET_SLOTS if rng.random() < 0.25 else SIXTEENTH_SLOTS
        grid = [quarter * 8 + slot for quarter in range(4) for slot in slots]
        onsets = rng.choice(grid, size=int(rng.integers(5, 11)), replace=False)
        patterns.add(tuple(sorted({0, *map(int, onsets)})))
    return sorted(patterns)


def make_piece(rng, pattern):
    """One piece's tokens: header, 8 bars of the pattern (the same notes every bar), EOS."""
    bpm = int(rng.integers(70, 160))
    header = [BOS, token_id("timeSignature", 2), token_id("tempoTens", bpm // 10 - 2), token_id("tempoOnes", bpm % 10),
              KEY_C_MAJOR, token_id("instrument", 0), INST_DRUMS, token_id("bars", BARS - 1)]
    drums = {onset: int(rng.choice([36, 38, 42, 46])) for onset in pattern}
    chords = {onset: sorted(int(p) for p in rng.choice(np.arange(55, 75), size=3, replace=False)) for onset in pattern}
    bar = []
    for onset in pattern:
        bar += [token_id("position", onset), token_id("instrument", 0)]
        for i, pitch in enumerate(chords[onset]):
            bar += [token_id("pitch", pitch)] + ([token_id("velocity", 10)] if i == 0 and onset == pattern[0] else [])
            bar += [token_id("duration", 2)]
        bar += [INST_DRUMS, token_id("drum", drums[onset])]
        bar += ([token_id("velocity", 12)] if onset == pattern[0] else []) + [token_id("duration", 0)]
    # The velocity tokens are written at an instrument's first note only, as the tokenizer does.
    first_bar = bar
    later_bar = [t for t in bar if not (token_id("velocity", 0) <= t <= token_id("velocity", 15))]
    return header + [BAR] + first_bar + ([BAR] + later_bar) * (BARS - 1) + [EOS]


def write_split(out, name, pieces):
    music = np.concatenate(pieces).astype("<u2")
    music_idx = np.concatenate([[0], np.cumsum([len(p) for p in pieces])]).astype("<i8")
    music.tofile(out / f"{name}.music.bin")
    music_idx.tofile(out / f"{name}.music.idx")
    # One caption per piece, the empty one ([BOS]): the check is about the music alone.
    np.full(len(pieces), 1, dtype="<u2").tofile(out / f"{name}.text.bin")
    np.arange(len(pieces) + 1, dtype="<i8").tofile(out / f"{name}.text.idx")
    np.arange(len(pieces) + 1, dtype="<i8").tofile(out / f"{name}.captions.idx")
    return {"examples": len(pieces), "tokens": int(len(music)), "captions": len(pieces)}


def build(out, patterns=6, pieces=400, seed=7):
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    chosen = make_patterns(rng, patterns)
    all_pieces = [make_piece(rng, chosen[i % patterns]) for i in range(pieces)]
    splits, start = {}, 0
    for name, share in SPLITS.items():
        count = round(pieces * share) if name != "test" else pieces - start
        splits[name] = write_split(out, name, all_pieces[start:start + count])
        start += count
    index = {
        "format": "motif-dataset-v1",
        "music_vocab": {"size": VOCAB_SIZE, "hash": "synthetic-rhythm", "pad_id": 0, "bos_id": BOS, "eos_id": EOS},
        "text_vocab": {"size": 4, "hash": "synthetic-rhythm", "pad_id": 0, "bos_id": 1},
        "max_music_tokens": max(len(p) for p in all_pieces),
        "max_text_tokens": 1,
        "splits": splits,
        "synthetic": {"patterns": [list(p) for p in chosen], "seed": seed},
    }
    (out / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    return index


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--patterns", type=int, default=6)
    parser.add_argument("--pieces", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    index = build(args.out, args.patterns, args.pieces, args.seed)
    print(f"wrote {args.out}: {index['splits']['train']['examples']} training pieces, "
          f"{len(index['synthetic']['patterns'])} patterns, up to {index['max_music_tokens']} tokens")


if __name__ == "__main__":
    main()
