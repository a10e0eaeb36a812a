"""
Trains the Motif model on a built dataset.

    /usr/bin/python3 training/train.py --config training/configs/cpu.json [--data data/built] [--out training/runs/cpu]
                                       [--resume | --init CKPT] [--max-minutes 120]

Writes into --out: ckpt.pt (latest: model, optimizer, step, config, best validation loss, data position), best.pt (the
weights with the best validation loss), log.jsonl (one JSON object per log line), loss.png, and copies of the
dataset's index.json and text-tokenizer.json so the run folder alone is enough to export.

--init starts a new run (fresh optimizer and schedule) from another checkpoint's weights, e.g. one rebuilt from a
shipped model by recover.py. When that checkpoint's text tokenizer is not the dataset's, its text encoder would read
the wrong ids, so the encoder keeps its fresh initialization and only the decoder is carried over.
"""
import argparse
import contextlib
import inspect
import json
import math
import os
import platform
import shutil
import signal
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import Split, TokenBatcher, evaluation_batches, read_index  # noqa: E402
from model import ModelConfig, MotifModel, count_params  # noqa: E402

TRAIN_DEFAULTS = {
    "batch_tokens": 8192,  # padded music tokens per micro-batch
    "grad_accum": 1,
    "lr": 1e-3,
    "min_lr": 1e-4,
    "warmup_steps": 200,
    "max_steps": 10000,
    "weight_decay": 0.1,
    "beta1": 0.9,
    "beta2": 0.95,
    "grad_clip": 1.0,
    "caption_dropout": 0.1,
    # The header (every target before the first BAR) is where the caption matters most: it names the meter, tempo,
    # key, instruments and length the text asks for, yet it is ~10 tokens of ~800. A weight above 1 counts each
    # header token that many times in the training objective, so reading the caption pays off early in a short run.
    # The reported losses stay plain per-token means.
    "header_loss_weight": 1.0,
    "log_interval": 10,
    "eval_interval": 250,
    "eval_examples": 500,  # validation examples per evaluation; null = the whole split
    "ckpt_interval": 250,
    "seed": 1337,
}
MAX_ONNX_BYTES = 100 * 1024 * 1024
BAR_ID = 3  # the music vocabulary's BAR token (docs/tokens.md); the header is what precedes the first one


def load_config(path):
    raw = json.loads(Path(path).read_text())
    unknown = set(raw.get("train", {})) - set(TRAIN_DEFAULTS)
    if unknown:
        raise SystemExit(f"{path}: unknown train settings {sorted(unknown)}")
    train = {**TRAIN_DEFAULTS, **raw.get("train", {})}
    return {"name": raw.get("name", Path(path).stem), "model": raw["model"], "train": train}


def decay_progress(step, t, start_progress, elapsed, limit):
    """How far the cosine decay has gone, 0..1: by steps towards max_steps, or, when a wall-clock limit is set, by
    time towards it if that is further (the decay started at resume time is stretched over the new limit), so a run
    cut by --max-minutes still ends at min_lr."""
    by_steps = (step - t["warmup_steps"]) / max(1, t["max_steps"] - t["warmup_steps"])
    by_time = start_progress + (1.0 - start_progress) * elapsed / limit if limit else start_progress
    return min(1.0, max(0.0, by_steps, by_time))


def lr_at(step, t, progress):
    """Linear warm-up to lr, then cosine decay to min_lr."""
    if step < t["warmup_steps"]:
        return t["lr"] * (step + 1) / t["warmup_steps"]
    return t["min_lr"] + 0.5 * (1.0 + math.cos(math.pi * progress)) * (t["lr"] - t["min_lr"])


def make_optimizer(model, t, device):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": t["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}]
    fused = device.type == "cuda" and "fused" in inspect.signature(torch.optim.AdamW).parameters
    extra = {"fused": True} if fused else {}
    return torch.optim.AdamW(groups, lr=t["lr"], betas=(t["beta1"], t["beta2"]), **extra)


CPU_BF16 = {"enabled": False}  # bf16 autocast on the CPU: --cpu-precision, chosen by timing where "auto"


def autocast_for(device):
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    if device.type == "cpu" and CPU_BF16["enabled"]:
        return torch.autocast(device_type="cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def choose_cpu_precision(model, batcher, device, choice):
    """fp32 or bf16 for training on this CPU: the choice given, or with "auto" the faster of the two on a few
    forward+backward passes of the next training batch (the data position and the weights are left as they were).
    Prints both speeds and both losses on that batch, so the log shows bf16 tracking fp32."""
    if choice != "auto":
        return choice
    state = batcher.state()
    batch = to_device(batcher.next(), device)
    batcher.load_state(state)
    tokens = int((batch["targets"] != -100).sum())
    timing = {}
    for precision in ("fp32", "bf16", "fp32", "bf16"):  # the first pass of each warms up; the second is timed
        CPU_BF16["enabled"] = precision == "bf16"
        start = time.time()
        loss, _ = loss_sum(model, batch, device)
        (loss / tokens).backward()
        timing[precision] = (tokens / (time.time() - start), float(loss) / tokens)
    model.zero_grad(set_to_none=True)
    faster = max(timing, key=lambda p: timing[p][0])
    print("cpu precision: " + ", ".join(f"{p} {speed:.0f} tokens/s (loss {loss:.4f})" for p, (speed, loss) in
                                         timing.items()) + f"; training in {faster}", flush=True)
    return faster


def to_device(batch, device):
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def header_mask(targets):
    """True where a target is a header token: before the sequence's first BAR (pads are -100 and never BAR)."""
    return (torch.cumsum(targets == BAR_ID, dim=1) == 0) & (targets != -100)


def token_losses(model, batch, device):
    """Per-position cross-entropy [B,S] (0 at pads)."""
    with autocast_for(device):
        logits = model(batch["text_ids"], batch["text_mask"], batch["music_ids"])
    targets = batch["targets"]
    return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1), ignore_index=-100,
                           reduction="none").view(targets.shape)


def loss_sum(model, batch, device):
    """Summed cross-entropy over the batch's real target tokens, and their count."""
    targets = batch["targets"]
    return token_losses(model, batch, device).sum(), int((targets != -100).sum())


def objective_weights(targets, header_weight):
    """Each target's weight in the training objective: 1, header tokens header_weight, pads 0."""
    return (targets != -100).float() + (header_weight - 1.0) * header_mask(targets).float()


def objective_sum(model, batch, device, weights):
    """The training objective (cross-entropy summed with each target's weight, from objective_weights) and the plain
    summed cross-entropy, for the log."""
    losses = token_losses(model, batch, device)
    return (losses * weights).sum(), losses.sum().detach()


def text_gain(model):
    """Mean |weight| of the text encoder's final LayerNorm: near 0 means the decoder sees the same memory for every
    caption (the encoder is switched off)."""
    return float(model.encoder.ln_out.weight.abs().mean())


@torch.no_grad()
def evaluate(model, split, device, batch_tokens, max_examples):
    model.eval()
    total, tokens = 0.0, 0
    cfg = model.cfg
    for batch in evaluation_batches(split, batch_tokens, cfg.max_music_len, cfg.max_text_len, max_examples):
        loss, n = loss_sum(model, to_device(batch, device), device)
        total += float(loss)
        tokens += n
    model.train()
    loss = total / max(1, tokens)
    return {"loss": loss, "perplexity": math.exp(min(loss, 50.0)), "tokens": tokens}


def hardware_name(device):
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu} ({torch.get_num_threads()} threads)"


# Parameters a run may add to an --init checkpoint that lacks them (each starts at zero, changing nothing).
NEW_PARTS = {"bar_positions.weight"}


def grows_into(initial, target):
    """Whether a checkpoint of config `initial` can start a run of config `target`: the same model, or the same plus
    the metrical embedding."""
    return {**initial.to_dict(), "metrical": target.metrical} == target.to_dict() and (
        target.metrical or not initial.metrical)


def load_checkpoint(path):
    # Our own files, which hold plain Python values besides tensors: PyTorch 2.6+ would refuse them by default.
    extra = {"weights_only": False} if "weights_only" in inspect.signature(torch.load).parameters else {}
    return torch.load(path, map_location="cpu", **extra)


def save_atomic(obj, path):
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def plot_losses(log_path, png_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    train = [(r["step"], r["loss"]) for r in rows if r["kind"] == "train"]
    val = [(r["step"], r["loss"]) for r in rows if r["kind"] == "val"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if train:
        ax.plot(*zip(*train), label="train", linewidth=1)
    if val:
        ax.plot(*zip(*val), "o-", label="validation", linewidth=1.5, markersize=3)
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)


class Run:
    """The output folder: checkpoint, log and plot."""

    def __init__(self, out):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.ckpt = self.out / "ckpt.pt"
        self.best = self.out / "best.pt"
        self.log_path = self.out / "log.jsonl"
        self.png = self.out / "loss.png"

    def forget_after(self, step):
        """Drops log rows written after the checkpoint being resumed, so the log and plot have one history."""
        if self.log_path.exists():
            rows = [line for line in self.log_path.read_text().splitlines() if line.strip()]
            kept = [line for line in rows if json.loads(line)["step"] <= step]
            self.log_path.write_text("".join(line + "\n" for line in kept))

    def log(self, row):
        with self.log_path.open("a") as f:
            f.write(json.dumps(row) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--data", default="data/built")
    parser.add_argument("--out", default=None, help="run folder (default training/runs/<config name>)")
    parser.add_argument("--resume", action="store_true", help="continue from <out>/ckpt.pt")
    parser.add_argument("--init", default=None, help="start a new run from this checkpoint's weights")
    parser.add_argument("--max-minutes", type=float, default=None, help="stop (and checkpoint) after this wall time")
    parser.add_argument("--max-steps", type=int, default=None, help="override the config's max_steps")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda when available)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: all cores)")
    parser.add_argument("--cpu-precision", choices=("auto", "fp32", "bf16"), default="auto",
                        help="on a CPU: fp32, bf16 autocast, or auto (time a few steps both ways, keep the faster)")
    parser.add_argument("--cpu-bf16", action="store_const", const="bf16", dest="cpu_precision",
                        help="the same as --cpu-precision bf16")
    args = parser.parse_args()

    started = time.time()
    config = load_config(args.config)
    t = config["train"]
    if args.max_steps is not None:
        t["max_steps"] = args.max_steps
    run = Run(args.out or Path(__file__).resolve().parent / "runs" / config["name"])
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    index = read_index(args.data)
    train_split = Split(args.data, "train", index)
    val_split = Split(args.data, "validation", index)
    if len(train_split) == 0 or len(val_split) == 0:
        raise SystemExit(f"{args.data}: the train and validation splits must both hold examples")
    for name in ("index.json", "text-tokenizer.json"):
        if (Path(args.data) / name).exists():
            shutil.copyfile(Path(args.data) / name, run.out / name)

    if args.init and args.resume:
        raise SystemExit("--init starts a new run and --resume continues one: pass one of them")
    checkpoint = None
    if args.resume and not run.ckpt.exists():
        print(f"no {run.ckpt} to resume: starting a new run", flush=True)
    if run.ckpt.exists():
        if not args.resume:
            raise SystemExit(f"{run.ckpt} exists: pass --resume to continue it, or choose another --out")
        checkpoint = load_checkpoint(run.ckpt)
        if checkpoint["dataset"]["music_vocab"].get("hash") != index["music_vocab"].get("hash"):
            raise SystemExit("the checkpoint was trained on another music vocabulary than this dataset's")
        model_cfg = ModelConfig.from_dict(checkpoint["model_config"])
    else:
        model_cfg = ModelConfig.from_dict({
            **config["model"], "music_vocab": index["music_vocab"]["size"], "text_vocab": index["text_vocab"]["size"],
        })
    initial = load_checkpoint(args.init) if args.init else None
    if initial is not None:
        if initial["dataset"]["music_vocab"].get("hash") != index["music_vocab"].get("hash"):
            raise SystemExit(f"{args.init} was trained on another music vocabulary than this dataset's")
        if not grows_into(ModelConfig.from_dict(initial["model_config"]), model_cfg):
            raise SystemExit(f"{args.init} has another architecture than {args.config}: {initial['model_config']}")
    if index["max_music_tokens"] - 1 > model_cfg.max_music_len:
        print(f"note: sequences up to {index['max_music_tokens']} tokens are cut to the model's "
              f"{model_cfg.max_music_len}-token context", flush=True)

    torch.manual_seed(t["seed"])
    model = MotifModel(model_cfg).to(device)
    optimizer = make_optimizer(model, t, device)
    batcher = TokenBatcher(train_split, t["batch_tokens"], model_cfg.max_music_len, model_cfg.max_text_len,
                           t["caption_dropout"], t["seed"])
    step, best_val, tokens_seen, train_seconds, start_progress = 0, float("inf"), 0, 0.0, 0.0
    if checkpoint:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        batcher.load_state(checkpoint["batcher"])
        step, best_val = checkpoint["step"], checkpoint["best_val_loss"]
        tokens_seen, train_seconds = checkpoint["tokens_seen"], checkpoint["train_seconds"]
        start_progress = checkpoint["lr_progress"]
        run.forget_after(step)
        print(f"resuming from {run.ckpt} at step {step}", flush=True)
    init_info = checkpoint.get("init") if checkpoint else None
    if initial is not None:
        weights = initial["model"]
        same_text = initial["dataset"]["text_vocab"].get("hash") == index["text_vocab"].get("hash")
        if not same_text:
            weights = {k: v for k, v in weights.items() if not k.startswith("encoder.")}
            print(f"{args.init} has another text tokenizer: its text encoder is not carried over", flush=True)
        missing, unexpected = model.load_state_dict(weights, strict=False)
        allowed_missing = set() if same_text else {k for k in model.state_dict() if k.startswith("encoder.")}
        allowed_missing |= NEW_PARTS if model_cfg.metrical and not initial["model_config"].get("metrical") else set()
        if unexpected or set(missing) - allowed_missing:
            raise SystemExit(f"{args.init} does not fit the model: missing {missing}, unexpected {unexpected}")
        if set(missing) & NEW_PARTS:
            print(f"{args.init} has no metrical embedding: it starts at zero (the model computes what it did)", flush=True)
        init_info = {"from": initial.get("recovered_from") or str(args.init), "steps": initial["step"],
                     "tokens": initial["tokens_seen"], "seconds": initial["train_seconds"],
                     "text_encoder": "carried over" if same_text else "re-initialized"}
        print(f"initialized from {args.init} ({init_info['steps']} steps, {init_info['tokens']} tokens)", flush=True)

    sizes = count_params(model_cfg)
    print(f"model: {sizes['total'] / 1e6:.2f}M parameters (encoder.onnx ~{sizes['encoder_graph'] * 4 / 2**20:.0f} MiB, "
          f"decoder.onnx ~{sizes['decoder_graph'] * 4 / 2**20:.0f} MiB fp32); device {hardware_name(device)}; "
          f"train {len(train_split)} examples / {train_split.tokens} tokens", flush=True)
    for graph in ("encoder_graph", "decoder_graph"):
        if sizes[graph] * 4 > MAX_ONNX_BYTES:
            print(f"warning: the {graph.split('_')[0]}.onnx file would exceed 100 MB", flush=True)

    if device.type == "cpu":
        CPU_BF16["enabled"] = choose_cpu_precision(model, batcher, device, args.cpu_precision) == "bf16"

    stop = {"reason": None}
    saved_step = None

    def request_stop(signum, _frame):
        stop["reason"] = signal.Signals(signum).name

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    def snapshot(with_optimizer):
        state = {
            "model": model.state_dict(), "step": step, "config": config, "model_config": model_cfg.to_dict(),
            "best_val_loss": best_val, "batcher": batcher.state(),
            "dataset": {k: index[k] for k in ("music_vocab", "text_vocab", "max_music_tokens", "max_text_tokens",
                                              "splits") if k in index},
            "tokens_seen": tokens_seen, "train_seconds": train_seconds + (time.time() - started),
            "lr_progress": progress,
            "hardware": hardware_name(device), "torch": torch.__version__, "init": init_info,
            "precision": "bf16" if device.type == "cuda" or CPU_BF16["enabled"] else "fp32",
        }
        if with_optimizer:
            state["optimizer"] = optimizer.state_dict()
        return state

    def save(reason):
        nonlocal saved_step
        saved_step = step
        save_atomic(snapshot(with_optimizer=True), run.ckpt)
        print(f"saved {run.ckpt} at step {step} ({reason})", flush=True)

    def validate():
        nonlocal best_val
        metrics = evaluate(model, val_split, device, t["batch_tokens"], t["eval_examples"])
        improved = metrics["loss"] < best_val
        if improved:
            best_val = metrics["loss"]
            save_atomic(snapshot(with_optimizer=False), run.best)
        gain = text_gain(model)
        run.log({"kind": "val", "step": step, **metrics, "text_gain": gain, "time": time.time()})
        print(f"step {step}: validation loss {metrics['loss']:.4f} (ppl {metrics['perplexity']:.2f}), "
              f"text gain {gain:.3f}{' best' if improved else ''}", flush=True)
        plot_losses(run.log_path, run.png)

    model.train()
    limit = args.max_minutes * 60 if args.max_minutes is not None else None
    progress = decay_progress(step, t, start_progress, 0.0, limit)
    window_tokens, window_loss, window_start = 0, 0.0, time.time()
    while step < t["max_steps"] and stop["reason"] is None:
        if limit is not None and time.time() - started > limit:
            stop["reason"] = "max-minutes"
            break
        progress = decay_progress(step, t, start_progress, time.time() - started, limit)
        lr = lr_at(step, t, progress)
        for group in optimizer.param_groups:
            group["lr"] = lr
        micro = [batcher.next() for _ in range(t["grad_accum"])]
        step_tokens = sum(int((b["targets"] != -100).sum()) for b in micro)
        weights = [objective_weights(b["targets"], t["header_loss_weight"]) for b in micro]
        step_weight = sum(float(w.sum()) for w in weights)
        step_loss = 0.0
        for batch, batch_weights in zip(micro, weights):
            objective, plain = objective_sum(model, to_device(batch, device), device, batch_weights.to(device))
            (objective / step_weight).backward()
            step_loss += plain  # stays on the device: no synchronization per micro-batch
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), t["grad_clip"])
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        tokens_seen += step_tokens
        window_tokens += step_tokens
        window_loss += step_loss
        if step % t["log_interval"] == 0 or step == t["max_steps"]:
            window_loss = float(window_loss)  # waits for the device
            elapsed = time.time() - window_start
            row = {"kind": "train", "step": step, "loss": window_loss / window_tokens, "lr": lr,
                   "grad_norm": float(grad_norm), "tokens": tokens_seen, "tokens_per_s": window_tokens / elapsed,
                   "epoch": batcher.epoch, "time": time.time()}
            run.log(row)
            print(f"step {step}: loss {row['loss']:.4f} lr {lr:.2e} grad {row['grad_norm']:.2f} "
                  f"{row['tokens_per_s']:.0f} tokens/s", flush=True)
            window_tokens, window_loss, window_start = 0, 0.0, time.time()
        paused = time.time()
        if step % t["eval_interval"] == 0:
            validate()
        if step % t["ckpt_interval"] == 0:
            save("interval")
        window_start += time.time() - paused  # tokens/s counts training time only

    if step % t["eval_interval"] != 0:
        validate()
    if saved_step != step:
        save(stop["reason"] or "finished")
    plot_losses(run.log_path, run.png)
    print(f"done: step {step}, {tokens_seen} tokens, best validation loss {best_val:.4f}", flush=True)


if __name__ == "__main__":
    main()
