"""
Direct Preference Optimization (Rafailov et al., 2023, "Direct Preference Optimization: Your Language Model is
Secretly a Reward Model") of a Motif model on preference pairs (docs/PREFERENCES.md), against the model it starts
from as the reference.

    /usr/bin/python3 training/recover.py --models models --out training/runs/recovered/init.pt
    /usr/bin/python3 training/dpo.py --init training/runs/recovered/init.pt --models models --pairs pairs.jsonl \
        --out training/runs/dpo [--beta 0.1] [--lr 1e-5] [--steps 60] [--batch-pairs 4] [--heldout 0.2]
    /usr/bin/python3 training/export.py --ckpt training/runs/dpo/dpo.pt --data data/built --out /tmp/candidate

For a pair (x, y_w, y_l) the loss is -log sigmoid(beta * [(log pi(y_w|x) - log ref(y_w|x)) - (log pi(y_l|x) -
log ref(y_l|x))]), each log-probability summed over the tokens the model chose: the engine's forced tokens (header,
kept prefix) are left out. Pairs from votes weigh 1; automatic pairs weigh --auto-weight when votes are present (real
votes take precedence), 1 when they are all there is.

A held-out share of the prompts (--heldout) is never trained on; the log gives, before training and every
--eval-interval steps: its DPO loss, the preference accuracy (the share of held-out pairs whose implicit reward
beta * log(pi/ref) is higher for the chosen take; a tie counts half, so 0.5 is chance and where training starts) and
the KL divergence of the policy from the reference per learnt token (exact over the vocabulary, averaged over the
chosen and rejected takes' learnt positions).

Writes into --out: dpo.pt (weights in train.py's checkpoint format, so export.py exports it; its `preferences`
entry records the data it learnt from: the file's sha256, the pair counts, beta and the held-out results, which
export.py copies into the manifest), log.jsonl and a copy of the model's text-tokenizer.json.
"""
import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import ModelConfig, MotifModel  # noqa: E402
from preferences import PreferenceError, batches, collate, file_sha256, read_pairs, split_heldout  # noqa: E402
from train import CPU_BF16, autocast_for, hardware_name, load_checkpoint, save_atomic  # noqa: E402


def sequence_logps(model, batch, device):
    """Per row: the summed log-probability of the learnt targets, and the logits (for the KL)."""
    with autocast_for(device):
        logits = model(batch["text_ids"], batch["text_mask"], batch["music_ids"])
    logps = torch.log_softmax(logits.float(), dim=-1)
    chosen = logps.gather(-1, batch["targets"].unsqueeze(-1)).squeeze(-1)
    return (chosen * batch["learn"]).sum(dim=1), logps


def dpo_terms(policy_logps, reference_logps, beta):
    """The implicit reward margin beta * (log-ratio of the chosen - log-ratio of the rejected) per pair; the rows hold
    the chosen takes first, then the rejected ones."""
    b = policy_logps.size(0) // 2
    ratio = policy_logps - reference_logps
    return beta * (ratio[:b] - ratio[b:])


def to_device(batch, device):
    return {k: v.to(device) for k, v in batch.items()}


@torch.no_grad()
def reference_logps(reference, pairs, batch_pairs, device):
    values = []
    for group in batches(pairs, batch_pairs):
        batch = to_device(collate(group), device)
        logps, _ = sequence_logps(reference, batch, device)
        b = len(group)
        values.append(torch.stack([logps[:b], logps[b:]], dim=1))
    return torch.cat(values) if values else torch.zeros(0, 2)


@torch.no_grad()
def heldout_report(policy, reference, pairs, ref_logps, beta, batch_pairs, device):
    """Held-out DPO loss, preference accuracy (ties half), mean reward margin and per-token KL(policy || reference)."""
    policy.eval()
    losses, hits, margins, kl_sum, kl_tokens = [], 0.0, [], 0.0, 0.0
    offset = 0
    for group in batches(pairs, batch_pairs):
        batch = to_device(collate(group), device)
        b = len(group)
        policy_seq, policy_logps = sequence_logps(policy, batch, device)
        _, ref_full = sequence_logps(reference, batch, device)
        ref = ref_logps[offset:offset + b].to(device)
        offset += b
        margin = dpo_terms(policy_seq, torch.cat([ref[:, 0], ref[:, 1]]), beta)
        losses.extend((-F.logsigmoid(margin)).tolist())
        hits += float((margin > 0).sum()) + 0.5 * float((margin == 0).sum())
        margins.extend((margin / beta).tolist())
        kl = (policy_logps.exp() * (policy_logps - ref_full)).sum(dim=-1)
        kl_sum += float((kl * batch["learn"]).sum())
        kl_tokens += float(batch["learn"].sum())
    policy.train()
    n = max(1, len(pairs))
    return {"pairs": len(pairs), "loss": sum(losses) / n, "accuracy": hits / n,
            "logratio_margin": sum(margins) / n, "kl_per_token": kl_sum / max(1.0, kl_tokens)}


def choose_precision(policy, pairs, batch_pairs, device, choice):
    """fp32 or bf16 autocast on this CPU, as train.py chooses: the one given, or with "auto" the faster of the two on a
    forward and backward pass of the first batch (both times printed; the gradients are thrown away). On CUDA,
    autocast_for uses bf16 wherever the GPU has it."""
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    if choice != "auto":
        return choice
    batch = to_device(collate(pairs[:batch_pairs]), device)
    timing = {}
    for precision in ("fp32", "bf16", "fp32", "bf16"):  # the first pass of each warms up; the second is timed
        CPU_BF16["enabled"] = precision == "bf16"
        start = time.time()
        logps, _ = sequence_logps(policy, batch, device)
        logps.sum().backward()
        timing[precision] = time.time() - start
    policy.zero_grad(set_to_none=True)
    faster = min(timing, key=timing.get)
    print("cpu precision: " + ", ".join(f"{p} {t:.2f} s a step" for p, t in timing.items()) + f"; training in {faster}",
          flush=True)
    return faster


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--init", required=True, help="the reference model's checkpoint (recover.py from its export)")
    parser.add_argument("--models", default="models", help="the reference model's export: its text-tokenizer.json "
                                                           "and manifest id")
    parser.add_argument("--pairs", required=True, help="a motif-preference-v1 file (docs/PREFERENCES.md)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--beta", type=float, default=0.1)
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument("--warmup-steps", type=int, default=5)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch-pairs", type=int, default=4)
    parser.add_argument("--heldout", type=float, default=0.2, help="share of the prompts held out (0 for none)")
    parser.add_argument("--auto-weight", type=float, default=0.5,
                        help="weight of an automatic pair when the file also holds pairs from votes")
    parser.add_argument("--eval-interval", type=int, default=20)
    parser.add_argument("--grad-clip", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--max-minutes", type=float, default=None, help="stop (and save) after this wall time")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda when available)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: all cores)")
    parser.add_argument("--cpu-precision", choices=("auto", "fp32", "bf16"), default="auto")
    args = parser.parse_args()

    started = time.time()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt_path, log_path = out / "dpo.pt", out / "log.jsonl"
    if ckpt_path.exists():
        raise SystemExit(f"{ckpt_path} exists: choose another --out")
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    torch.manual_seed(args.seed)

    initial = load_checkpoint(args.init)
    cfg = ModelConfig.from_dict(initial["model_config"])
    dataset = initial["dataset"]
    models = Path(args.models)
    manifest = json.loads((models / "manifest.json").read_text())
    reference_id = initial.get("recovered_from") or manifest["id"]
    if initial.get("recovered_from") and initial["recovered_from"] != manifest["id"]:
        raise SystemExit(f"{args.init} was recovered from {initial['recovered_from']}, but {models} holds {manifest['id']}")
    if manifest.get("text_vocab_hash") != dataset["text_vocab"].get("hash"):
        raise SystemExit(f"{models}'s text tokenizer is not the one {args.init} was trained with")
    shutil.copyfile(models / manifest["files"].get("text_tokenizer", {}).get("name", "text-tokenizer.json"),
                    out / "text-tokenizer.json")

    try:
        pairs, dropped = read_pairs(args.pairs, dataset["text_vocab"]["hash"], cfg.music_vocab, cfg.text_vocab,
                                    cfg.max_music_len)
    except PreferenceError as error:
        raise SystemExit(str(error))
    if not pairs:
        raise SystemExit(f"{args.pairs} holds no pair to learn from")
    train, heldout = split_heldout(pairs, args.heldout, args.seed)
    has_votes = any(pair.source == "votes" for pair in train)
    weight_of = {"votes": 1.0, "automatic": args.auto_weight if has_votes else 1.0}
    train = [pair for pair in train if weight_of[pair.source] > 0]
    if not train:
        raise SystemExit("no pair left to train on after the held-out share and the weights")
    sources = {source: sum(pair.source == source for pair in pairs) for source in weight_of}
    print(f"{len(pairs)} pairs ({sources['votes']} from votes, {sources['automatic']} automatic; {dropped} dropped with "
          f"nothing after their forced tokens): {len(train)} to train on, {len(heldout)} held out "
          f"({len({p.prompt for p in heldout})} prompts)", flush=True)

    policy = MotifModel(cfg).to(device)
    policy.load_state_dict(initial["model"])
    reference = MotifModel(cfg).to(device)
    reference.load_state_dict(initial["model"])
    reference.eval()
    for p in reference.parameters():
        p.requires_grad_(False)
    policy.train()

    precision = choose_precision(policy, train, args.batch_pairs, device, args.cpu_precision)
    CPU_BF16["enabled"] = device.type == "cpu" and precision == "bf16"
    print(f"model: {policy.num_params() / 1e6:.2f}M parameters, reference {reference_id}; device "
          f"{hardware_name(device)}; precision {precision}", flush=True)

    # The reference's log-probabilities never change: computed once, under the same precision as the policy's, so that
    # before the first step every margin is exactly zero.
    train_ref = reference_logps(reference, train, args.batch_pairs, device)
    heldout_ref = reference_logps(reference, heldout, args.batch_pairs, device)
    optimizer = torch.optim.AdamW(policy.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.0)

    def log(row):
        with log_path.open("a") as f:
            f.write(json.dumps({**row, "time": time.time()}) + "\n")

    def evaluate(step):
        if not heldout:
            return None
        report = heldout_report(policy, reference, heldout, heldout_ref, args.beta, args.batch_pairs, device)
        log({"kind": "heldout", "step": step, **report})
        print(f"step {step}: held-out loss {report['loss']:.4f}, preference accuracy {report['accuracy']:.3f}, "
              f"log-ratio margin {report['logratio_margin']:+.3f}, KL {report['kl_per_token']:.5f} nats/token",
              flush=True)
        return report

    before = evaluate(0)
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(args.seed)).tolist()
    cursor, step, stop, last = 0, 0, None, before
    while step < args.steps:
        if args.max_minutes is not None and time.time() - started > args.max_minutes * 60:
            stop = "max-minutes"
            break
        if cursor + args.batch_pairs > len(order):  # a new epoch, reshuffled
            order = torch.randperm(len(train), generator=torch.Generator().manual_seed(args.seed + step)).tolist()
            cursor = 0
        picked = order[cursor:cursor + args.batch_pairs]
        cursor += args.batch_pairs
        group = [train[i] for i in picked]
        batch = to_device(collate(group), device)
        ref = train_ref[picked].to(device)
        lr = args.lr * min(1.0, (step + 1) / max(1, args.warmup_steps))
        for g in optimizer.param_groups:
            g["lr"] = lr
        policy_seq, _ = sequence_logps(policy, batch, device)
        margin = dpo_terms(policy_seq, torch.cat([ref[:, 0], ref[:, 1]]), args.beta)
        weights = torch.tensor([weight_of[pair.source] for pair in group], device=device)
        loss = (-F.logsigmoid(margin) * weights).sum() / weights.sum()
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(policy.parameters(), args.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        accuracy = float((margin > 0).float().mean() + 0.5 * (margin == 0).float().mean())
        log({"kind": "train", "step": step, "loss": float(loss), "accuracy": accuracy,
             "logratio_margin": float(margin.mean()) / args.beta, "lr": lr, "grad_norm": float(grad_norm)})
        print(f"step {step}: loss {float(loss):.4f} accuracy {accuracy:.2f} lr {lr:.1e} grad {float(grad_norm):.2f}",
              flush=True)
        if step % args.eval_interval == 0:
            last = evaluate(step)
    if step % args.eval_interval != 0 or stop:
        last = evaluate(step)

    base_name = (initial.get("config") or {}).get("name", "motif")
    settings = {"beta": args.beta, "lr": args.lr, "warmup_steps": args.warmup_steps, "steps": step,
                "batch_pairs": args.batch_pairs, "heldout": args.heldout, "auto_weight": weight_of["automatic"],
                "seed": args.seed, "precision": precision}
    checkpoint = {
        "model": policy.state_dict(), "model_config": cfg.to_dict(), "step": initial.get("step", 0),
        "config": {"name": f"{base_name}-dpo", "model": (initial.get("config") or {}).get("model"), "dpo": settings},
        # The language-model loss moved with the preferences: evaluate.py measures it again (the manifest takes it
        # from <ckpt>.metrics.json), rather than the reference's being passed on as this model's.
        "best_val_loss": None,
        "dataset": dataset, "tokens_seen": initial.get("tokens_seen", 0),
        "train_seconds": (initial.get("train_seconds") or 0) + time.time() - started,
        "hardware": hardware_name(device), "torch": torch.__version__, "precision": precision,
        "init": {"from": reference_id, "steps": initial.get("step"), "tokens": initial.get("tokens_seen"),
                 "seconds": initial.get("train_seconds"), "text_encoder": "carried over", "method": "dpo"},
        "preferences": {
            "file": Path(args.pairs).name, "sha256": file_sha256(args.pairs), "pairs": len(pairs),
            "votes": sources["votes"], "automatic": sources["automatic"], "dropped": dropped,
            "train_pairs": len(train), "heldout_pairs": len(heldout), "reference": reference_id, **settings,
            "heldout_before": before, "heldout_after": last, "stopped": stop or "finished",
        },
    }
    save_atomic(checkpoint, ckpt_path)
    summary = ""
    if before and last:
        summary = (f"; held-out preference accuracy {before['accuracy']:.3f} -> {last['accuracy']:.3f}, "
                   f"KL {last['kl_per_token']:.5f} nats/token")
    print(f"done: {step} steps in {time.time() - started:.0f} s{summary}; wrote {ckpt_path}", flush=True)


if __name__ == "__main__":
    main()
