"""
Final validation and test loss (and perplexity) of a checkpoint, over the whole splits.

    /usr/bin/python3 training/evaluate.py --ckpt training/runs/cpu/best.pt [--data data/built]

Prints the numbers and writes them to <ckpt folder>/<ckpt name>.metrics.json, where export.py picks them up for the
model manifest. Also the validation loss by token type and the "which position" loss beside its bigram baseline
(token_types.py), as the Markdown table models/MODEL.md carries.
"""
import argparse
import json
import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import Split, read_index  # noqa: E402
from model import ModelConfig, MotifModel  # noqa: E402
from token_types import format_report, position_bigram, type_report  # noqa: E402
from train import CPU_BF16, evaluate, load_checkpoint  # noqa: E402


def metrics_path(ckpt):
    ckpt = Path(ckpt)
    return ckpt.with_name(ckpt.stem + ".metrics.json")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ckpt", required=True)
    parser.add_argument("--data", default="data/built")
    parser.add_argument("--splits", default="validation,test", help="comma-separated splits to evaluate")
    parser.add_argument("--batch-tokens", type=int, default=16384)
    parser.add_argument("--device", default=None)
    parser.add_argument("--max-examples", type=int, default=None,
                        help="examples per split, spread evenly over it (all when left out)")
    parser.add_argument("--type-examples", type=int, default=400,
                        help="validation examples for the loss by token type (0: skip it)")
    parser.add_argument("--cpu-bf16", action="store_true", help="bf16 autocast on the CPU, as train.py --cpu-bf16")
    args = parser.parse_args()
    CPU_BF16["enabled"] = args.cpu_bf16

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.set_num_threads(os.cpu_count() or 1)
    checkpoint = load_checkpoint(args.ckpt)
    index = read_index(args.data)
    if checkpoint["dataset"]["music_vocab"].get("hash") != index["music_vocab"].get("hash"):
        raise SystemExit("the checkpoint was trained on another music vocabulary than this dataset's")
    model = MotifModel(ModelConfig.from_dict(checkpoint["model_config"]))
    model.load_state_dict(checkpoint["model"])
    model.to(device)

    results = {"ckpt": Path(args.ckpt).name, "step": checkpoint["step"]}
    for name in args.splits.split(","):
        split = Split(args.data, name, index)
        results[name] = evaluate(model, split, device, args.batch_tokens, max_examples=args.max_examples)
        m = results[name]
        m["examples"] = args.max_examples or len(split)
        print(f"{name}: loss {m['loss']:.4f} perplexity {m['perplexity']:.2f} over {m['tokens']} tokens", flush=True)
    if args.type_examples:
        bigram = position_bigram(Split(args.data, "train", index))
        validation = Split(args.data, "validation", index)
        results["by_type"] = type_report(model, validation, device, args.batch_tokens, args.type_examples, bigram)
        results["by_type"]["examples"] = min(args.type_examples, len(validation))
        print(f"validation by token type ({results['by_type']['examples']} examples):")
        print(format_report(results["by_type"]), flush=True)
    metrics_path(args.ckpt).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {metrics_path(args.ckpt)}")


if __name__ == "__main__":
    main()
