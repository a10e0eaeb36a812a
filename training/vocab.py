"""
The music vocabulary's layout as training needs it: the id ranges of each token type (docs/tokens.md; the source of
truth is src/tokens/vocab.ts, and tests/training-vocab.test.ts checks that these ranges are its ranges).
"""
PAD, BOS, EOS, BAR = 0, 1, 2, 3

# type -> (first id, count), in id order
RANGES = {
    "timeSignature": (4, 17),
    "tempoTens": (21, 28),
    "tempoOnes": (49, 10),
    "key": (59, 25),
    "instrument": (84, 129),
    "bars": (213, 64),
    "position": (277, 64),
    "pitch": (341, 128),
    "drum": (469, 128),
    "velocity": (597, 16),
    "duration": (613, 28),
}
VOCAB_SIZE = 641

POSITION_START, POSITIONS = RANGES["position"]
INST_DRUMS = RANGES["instrument"][0] + 128


def token_id(kind, value):
    start, size = RANGES[kind]
    if not 0 <= value < size:
        raise ValueError(f"{kind} value {value} is outside 0..{size - 1}")
    return start + value


def token_type(token):
    """The type of a token id: one of RANGES' keys, or PAD/BOS/EOS/BAR."""
    if token < 4:
        return ("PAD", "BOS", "EOS", "BAR")[token]
    for kind, (start, size) in RANGES.items():
        if start <= token < start + size:
            return kind
    raise ValueError(f"token id {token} is outside the vocabulary of {VOCAB_SIZE}")
