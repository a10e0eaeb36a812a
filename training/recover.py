"""
Rebuilds a PyTorch checkpoint from an exported model folder (encoder.onnx, decoder.onnx, manifest.json), so a
shipped model can be trained further when its training checkpoint is gone (training/runs is not committed).

    /usr/bin/python3 training/recover.py --models models --out training/runs/recovered/init.pt

The ONNX exporter renames and transposes most Linear weights (constant folding turns them into `onnx::MatMul_N`
initializers), so names alone do not say which parameter is which. The mapping is found by exporting the same
architecture once with every parameter filled with its own marker value and reading the markers back. The recovered
model is then checked against the folder's parity.json: the logits must match within its tolerance.
The checkpoint holds weights only (no optimizer state); continue from it with `train.py --init`.
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import export_graphs, pytorch_reference  # noqa: E402
from model import ModelConfig, MotifModel  # noqa: E402


class RecoveryError(Exception):
    pass


def initializers(path):
    import onnx
    from onnx import numpy_helper

    return {i.name: numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}


def cache_layout(folder):
    """The decoder's cache layout (export.py): "growing" for the folders exported before the slot cache."""
    import onnx

    inputs = [i.name for i in onnx.load(str(folder / "decoder.onnx"), load_external_data=False).graph.input]
    return "growing" if "past_k" in inputs else "slots"


def marker_mapping(cfg, cache):
    """{onnx initializer name: parameter name}, for both graphs, by exporting marker-filled weights in the folder's
    cache layout (the exporter's initializer names depend on the graph)."""
    model = MotifModel(cfg)
    model.eval()
    model.set_fused_attention(False)
    names = [name for name, _ in model.named_parameters()]
    with torch.no_grad():
        for k, (_, p) in enumerate(model.named_parameters()):
            p.fill_(float(k + 1))
    mapping = {}
    with tempfile.TemporaryDirectory() as tmp:
        export_graphs(model, Path(tmp), cache)
        for graph in ("encoder", "decoder"):
            for init_name, value in initializers(Path(tmp) / f"{graph}.onnx").items():
                if value.dtype != np.float32 or value.size == 0:
                    continue
                markers = np.unique(value)
                if len(markers) != 1 or not 1 <= markers[0] <= len(names) or markers[0] != round(markers[0]):
                    raise RecoveryError(f"{graph}.onnx {init_name}: not a single parameter's marker ({markers[:4]})")
                mapping[(graph, init_name)] = names[int(markers[0]) - 1]
    return mapping


def recover_state(folder, cfg):
    mapping = marker_mapping(cfg, cache_layout(folder))
    reference = MotifModel(cfg).state_dict()
    state = {}
    for graph in ("encoder", "decoder"):
        for init_name, value in initializers(folder / f"{graph}.onnx").items():
            if (graph, init_name) not in mapping:
                continue
            name = mapping[(graph, init_name)]
            shape = tuple(reference[name].shape)
            tensor = torch.from_numpy(value.copy())
            # Linear weights are stored [out, in] by PyTorch and folded to [in, out] for MatMul; a square weight
            # shows it only by its name.
            if init_name.startswith("onnx::MatMul"):
                tensor = tensor.t().contiguous()
            if tuple(tensor.shape) != shape:
                raise RecoveryError(f"{graph}.onnx {init_name} has shape {tuple(value.shape)}; {name} is {shape}")
            state[name] = tensor
    missing = [name for name, _ in MotifModel(cfg).named_parameters() if name not in state]
    if missing:
        raise RecoveryError(f"no initializer found for {missing}")
    # The tied output projection is the token embedding; buffers (none today) would keep their defaults.
    return {**reference, **state, "head.weight": state["tokens.weight"]}


def check_parity(model, folder):
    parity = json.loads((folder / "parity.json").read_text())
    got = pytorch_reference(model, parity["text_ids"], parity["prefix_ids"], parity["step_ids"])
    diff = float(np.abs(got - np.array(parity["logits"], dtype=np.float32)).max())
    if not diff < parity["tolerance"]:
        raise RecoveryError(f"the recovered model's logits differ from parity.json by {diff:.2e}")
    return diff


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="models", help="an exported model folder")
    parser.add_argument("--out", required=True, help="checkpoint file to write")
    args = parser.parse_args()

    folder = Path(args.models)
    manifest = json.loads((folder / "manifest.json").read_text())
    arch = manifest["architecture"]
    cfg = ModelConfig.from_dict({k: v for k, v in arch.items() if k not in ("head_dim", "parameters",
                                                                            "tied_embeddings", "positions")})
    model = MotifModel(cfg)
    model.load_state_dict(recover_state(folder, cfg))
    model.eval()
    model.set_fused_attention(False)
    diff = check_parity(model, folder)
    print(f"recovered {manifest['id']}: parity.json logits reproduced within {diff:.1e}")

    training = manifest.get("training", {})
    checkpoint = {
        "model": model.state_dict(), "model_config": cfg.to_dict(), "config": training.get("config"),
        "step": training.get("steps", 0), "tokens_seen": training.get("tokens", 0),
        "train_seconds": training.get("seconds", 0), "hardware": training.get("hardware"),
        "torch": training.get("torch"), "best_val_loss": training.get("best_val_loss"),
        "dataset": {"music_vocab": {"hash": manifest["music_vocab_hash"], **manifest["special_ids"]["music"]},
                    "text_vocab": {"hash": manifest["text_vocab_hash"], **manifest["special_ids"]["text"]},
                    "splits": training.get("dataset_splits")},
        "recovered_from": manifest["id"],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    try:
        main()
    except RecoveryError as error:
        raise SystemExit(f"recovery failed: {error}")
