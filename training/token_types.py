"""
Teacher-forced loss by token type, and the "which position" loss beside a counting baseline (the rhythm diagnosis:
models/MODEL.md).

- loss by type: the mean cross-entropy of the targets of each type (header tokens, everything before the first BAR,
  counted apart), and each type's share of the targets;
- which position: at every POS target, the loss over the 64 position tokens alone (the model's position logits
  renormalized), so it measures where the model puts the next onset, given that one comes;
- the bigram baseline of the same: the next position counted from the training split given the previous one in the
  bar (or the bar's start), scored on the same targets.
"""
import numpy as np
import torch
import torch.nn.functional as F

from data import evaluation_batches
from model import BAR_POSITION_IDS, bar_position_ids
from vocab import POSITION_START, POSITIONS, VOCAB_SIZE, token_type

REPORTED = ("header", "position", "pitch", "drum", "instrument", "velocity", "duration", "BAR", "EOS")


def _type_index():
    """Token id -> index into REPORTED (header is decided by place, not id; other ids map to EOS's row)."""
    table = np.full(VOCAB_SIZE, REPORTED.index("EOS"), dtype=np.int64)
    for token in range(VOCAB_SIZE):
        kind = token_type(token)
        if kind in REPORTED:
            table[token] = REPORTED.index(kind)
    return torch.from_numpy(table)


def position_targets(batch):
    """(state, position) of every POS target in a batch: the bar position before it and the position it names."""
    targets = batch["targets"]
    offset = targets - POSITION_START
    where = (offset >= 0) & (offset < POSITIONS)
    return bar_position_ids(batch["music_ids"])[where], offset[where]


def position_bigram(split, max_examples=20000, batch_tokens=65536, max_music_len=1024, smoothing=0.1):
    """Log-probabilities [states, 64] of the next position given the bar position before it, counted over up to
    max_examples training examples (spread over the split) with add-`smoothing` counts."""
    counts = torch.full((BAR_POSITION_IDS, POSITIONS), smoothing, dtype=torch.float64)
    for batch in evaluation_batches(split, batch_tokens, max_music_len, 1, max_examples):
        state, position = position_targets(batch)
        counts.index_put_((state, position), torch.ones_like(state, dtype=torch.float64), accumulate=True)
    return (counts / counts.sum(dim=1, keepdim=True)).log()


@torch.no_grad()
def type_report(model, split, device, batch_tokens, max_examples, bigram=None):
    """Loss by type, which-position loss, and (with bigram from position_bigram) the baseline on the same targets."""
    from train import autocast_for, header_mask, to_device  # train imports this module's neighbours; import late

    model.eval()
    table = _type_index().to(device)
    n = len(REPORTED)
    loss_sum = torch.zeros(n, dtype=torch.float64)
    count = torch.zeros(n, dtype=torch.float64)
    which = {"model": 0.0, "bigram": 0.0, "count": 0}
    cfg = model.cfg
    for batch in evaluation_batches(split, batch_tokens, cfg.max_music_len, cfg.max_text_len, max_examples):
        batch = to_device(batch, device)
        with autocast_for(device):
            logits = model(batch["text_ids"], batch["text_mask"], batch["music_ids"])
        logits = logits.float()
        targets = batch["targets"]
        real = targets != -100
        losses = F.cross_entropy(logits.transpose(1, 2), targets.clamp(min=0), reduction="none")
        kinds = table[targets.clamp(min=0)]
        kinds = torch.where(header_mask(targets), REPORTED.index("header"), kinds)
        loss_sum.index_add_(0, kinds[real].cpu(), losses[real].double().cpu())
        count.index_add_(0, kinds[real].cpu(), torch.ones(int(real.sum()), dtype=torch.float64))
        offset = targets - POSITION_START
        at_position = (offset >= 0) & (offset < POSITIONS)
        position_logits = logits[at_position][:, POSITION_START:POSITION_START + POSITIONS]
        which["model"] += float(F.cross_entropy(position_logits, offset[at_position], reduction="sum"))
        which["count"] += int(at_position.sum())
        if bigram is not None:
            state, position = position_targets({k: v.cpu() for k, v in batch.items()})
            which["bigram"] -= float(bigram[state, position].sum())
    model.train()
    total = float(count.sum())
    report = {
        "by_type": {kind: {"loss": float(loss_sum[i] / count[i]), "share": float(count[i] / total)}
                    for i, kind in enumerate(REPORTED) if count[i] > 0},
        "loss": float(loss_sum.sum() / max(1.0, total)),
        "which_position": which["model"] / max(1, which["count"]),
        "position_targets": which["count"],
    }
    if bigram is not None:
        report["which_position_bigram"] = which["bigram"] / max(1, which["count"])
    return report


def format_report(report):
    """The report as a Markdown table (models/MODEL.md carries it for every shipped model)."""
    lines = ["| token type | share of targets | loss (nats) |", "|---|---:|---:|"]
    for kind, row in report["by_type"].items():
        lines.append(f"| {kind} | {row['share']:.1%} | {row['loss']:.3f} |")
    lines.append(f"| **all** | 100% | {report['loss']:.3f} |")
    lines.append(f"| which position (over the 64 POS tokens) | | {report['which_position']:.3f} |")
    if "which_position_bigram" in report:
        lines.append(f"| which position, bigram count baseline | | {report['which_position_bigram']:.3f} |")
    return "\n".join(lines)
