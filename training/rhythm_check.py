"""
The rhythm check: can the model learn where notes fall? Builds the synthetic set of repeated rhythms (synthetic.py),
trains a small model on it with train.py exactly as a real run trains, and reports the validation loss by token type
(token_types.py). Exits 1 when the "which position" loss is above --max-position-loss: the model, or the data path
(masking, padding, cropping, positions, the loss), cannot learn a rhythm that repeats bar after bar.

    /usr/bin/python3 training/rhythm_check.py --out data/rhythm-check [--config training/configs/rhythm-check.json]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from data import Split, read_index  # noqa: E402
from model import ModelConfig, MotifModel  # noqa: E402
from synthetic import build  # noqa: E402
from token_types import format_report, position_bigram, type_report  # noqa: E402
from train import load_checkpoint  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for the synthetic data and the run (replaced)")
    parser.add_argument("--config", default=str(HERE / "configs" / "rhythm-check.json"))
    parser.add_argument("--max-position-loss", type=float, default=0.3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    data, run = out / "data", out / "run"
    build(data)
    command = [sys.executable, str(HERE / "train.py"), "--config", args.config, "--data", str(data), "--out", str(run)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    checkpoint = load_checkpoint(run / "ckpt.pt")
    model = MotifModel(ModelConfig.from_dict(checkpoint["model_config"]))
    model.load_state_dict(checkpoint["model"])
    index = read_index(data)
    bigram = position_bigram(Split(data, "train", index))
    report = type_report(model, Split(data, "validation", index), torch.device("cpu"), 8192, None, bigram)
    report["steps"] = checkpoint["step"]
    report["metrical"] = checkpoint["model_config"].get("metrical", False)
    print(format_report(report))
    print(json.dumps(report))
    if report["which_position"] > args.max_position_loss:
        print(f"FAILED: which-position loss {report['which_position']:.3f} > {args.max_position_loss}", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
