"""
Exports a checkpoint to the two ONNX graphs that src/inference runs, with a manifest and parity numbers.

    /usr/bin/python3 training/export.py --ckpt training/runs/cpu/best.pt --out models/ [--data data/built] [--int8]

encoder.onnx  text_ids, text_mask int64 [B,T]  ->  cross_k, cross_v float32 [L,B,H,T,Dh]
decoder.onnx  input_ids, position_ids int64 [B,S]; attention_mask int64 [B,C+S] (1 = attend); past_k_i, past_v_i
              float32 [B,H,C,Dh] for each layer i (C: the capacity of the caller's cache, its unused columns masked);
              cross_k_i, cross_v_i [B,H,T,Dh] (the encoder's outputs, layer by layer); text_mask  ->  logits [B,V] of
              the last new position, new_k_i, new_v_i [B,H,S,Dh] for each layer, which the caller writes into its
              cache (slot_decoder.py says why). Causality among the S new tokens is applied inside the graph. A metrical
              model (model.py) takes one more input, bar_position_ids int64 [B,S]: where each new token stands in its bar.
              `export_graphs(..., cache="growing")` writes the decoder of earlier exports (past_k, past_v [L,B,H,P,Dh]
              -> logits [B,S,V], present_k, present_v [L,B,H,P+S,Dh]), which recover.py reads.

Also writes parity.json (fixed inputs and PyTorch's logits, for the TypeScript side to reproduce), manifest.json, and
copies text-tokenizer.json. When onnxruntime is importable the ONNX graphs are run and must match PyTorch within 1e-3,
and --int8 adds dynamically quantized copies.
"""
import argparse
import datetime
import hashlib
import inspect
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import DatasetError, Split, read_index  # noqa: E402
from evaluate import metrics_path  # noqa: E402
from train import load_checkpoint  # noqa: E402
from model import ModelConfig, MotifModel, bar_position_ids, count_params  # noqa: E402
from slot_decoder import SlotDecoder, slot_input_names, slot_output_names, slot_reference  # noqa: E402

OPSET = 17
TOLERANCE = 1e-3
MAX_FILE_BYTES = 100 * 1000 * 1000
REPO = Path(__file__).resolve().parent.parent

ENCODER_INPUTS = ["text_ids", "text_mask"]
ENCODER_OUTPUTS = ["cross_k", "cross_v"]
GROWING_INPUTS = ["input_ids", "position_ids", "attention_mask", "past_k", "past_v", "cross_k", "cross_v", "text_mask"]
GROWING_OUTPUTS = ["logits", "present_k", "present_v"]


def decoder_inputs(cfg, cache="slots"):
    if cache == "slots":
        return slot_input_names(cfg)
    return GROWING_INPUTS + (["bar_position_ids"] if cfg.metrical else [])


def decoder_outputs(cfg, cache="slots"):
    return slot_output_names(cfg) if cache == "slots" else GROWING_OUTPUTS


class ExportError(Exception):
    pass


class EncoderGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, text_ids, text_mask):
        return self.model.cross_kv(text_ids, text_mask)


class DecoderGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, position_ids, attention_mask, past_k, past_v, cross_k, cross_v, text_mask,
                bar_position_ids=None):
        return self.model.decode(input_ids, position_ids, attention_mask, past_k, past_v, cross_k, cross_v, text_mask,
                                 bar_position_ids)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path):
    return {"name": path.name, "sha256": sha256_of(path), "bytes": path.stat().st_size}


def onnx_export(module, args, path, input_names, output_names, dynamic_axes):
    kwargs = {}
    # PyTorch 2.9+ defaults to the dynamo exporter; these graphs are written for the TorchScript one (dynamic_axes).
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    torch.onnx.export(module, args, str(path), input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True, **kwargs)


def export_graphs(model, out, cache="slots"):
    """encoder.onnx and decoder.onnx; cache "slots" (the current decoder) or "growing" (that of earlier exports)."""
    cfg = model.cfg
    L, H, Dh = cfg.dec_layers, cfg.n_heads, cfg.head_dim
    # Example sizes all differ (B=2, T=5, P=4 or C=6, S=3) so that no dimension is mistaken for another while tracing.
    text_ids = torch.tensor([[1, 4, 5, 6, 7], [1, 8, 9, 0, 0]], dtype=torch.long)
    text_mask = (text_ids != 0).long()
    with torch.no_grad():
        cross_k, cross_v = model.cross_kv(text_ids, text_mask)
    onnx_export(EncoderGraph(model), (text_ids, text_mask), out / "encoder.onnx", ENCODER_INPUTS, ENCODER_OUTPUTS, {
        "text_ids": {0: "batch", 1: "text_len"}, "text_mask": {0: "batch", 1: "text_len"},
        "cross_k": {1: "batch", 3: "text_len"}, "cross_v": {1: "batch", 3: "text_len"},
    })
    input_ids = torch.tensor([[5, 6, 7], [8, 9, 10]])
    position_ids = torch.tensor([[4, 5, 6], [4, 5, 6]])
    bars = (torch.tensor([[2, 3, 3], [1, 1, 4]]),) if cfg.metrical else ()
    axes = {"input_ids": {0: "batch", 1: "new_len"}, "position_ids": {0: "batch", 1: "new_len"},
            "bar_position_ids": {0: "batch", 1: "new_len"}, "attention_mask": {0: "batch", 1: "total_len"},
            "text_mask": {0: "batch", 1: "text_len"}}
    if cache == "slots":
        past = torch.zeros(2, H, 6, Dh)
        layer_cross = [*cross_k.unbind(0), *cross_v.unbind(0)]
        args = (input_ids, position_ids, torch.ones(2, 9, dtype=torch.long), *[past] * (2 * L), *layer_cross,
                text_mask, *bars)
        for i in range(L):
            axes.update({f"past_k_{i}": {0: "batch", 2: "capacity"}, f"past_v_{i}": {0: "batch", 2: "capacity"},
                         f"cross_k_{i}": {0: "batch", 2: "text_len"}, f"cross_v_{i}": {0: "batch", 2: "text_len"}})
            axes.update({f"new_k_{i}": {0: "batch", 2: "new_len"}, f"new_v_{i}": {0: "batch", 2: "new_len"}})
        axes["logits"] = {0: "batch"}
        graph = SlotDecoder(model)
    else:
        past = torch.zeros(L, 2, H, 4, Dh)
        args = (input_ids, position_ids, torch.ones(2, 7, dtype=torch.long), past, past, cross_k, cross_v, text_mask,
                *bars)
        axes.update({"past_k": {1: "batch", 3: "past_len"}, "past_v": {1: "batch", 3: "past_len"},
                     "cross_k": {1: "batch", 3: "text_len"}, "cross_v": {1: "batch", 3: "text_len"},
                     "logits": {0: "batch", 1: "new_len"},
                     "present_k": {1: "batch", 3: "total_len"}, "present_v": {1: "batch", 3: "total_len"}})
        graph = DecoderGraph(model)
    onnx_export(graph, args, out / "decoder.onnx", decoder_inputs(cfg, cache), decoder_outputs(cfg, cache), axes)


def check_structure(path, inputs, outputs):
    import onnx

    onnx.checker.check_model(str(path))
    graph = onnx.load(str(path), load_external_data=False).graph
    got_in = [i.name for i in graph.input]
    got_out = [o.name for o in graph.output]
    if got_in != inputs or got_out != outputs:
        raise ExportError(f"{path.name}: inputs {got_in} / outputs {got_out}, expected {inputs} / {outputs}")


def parity_inputs(cfg, data, music_ids, text_ids):
    """A caption, a music prefix and three step tokens: from the test split's first example when the dataset is at
    hand, else fixed ids. Always within the vocabularies."""
    if data is not None:
        split = Split(data, "test", read_index(data))
        if len(split):
            music = split.music_ids(0).tolist()
            lo, _ = split.caption_range(0)
            caption = split.caption_ids(lo).tolist()[: cfg.max_text_len]
            # A prefix into the body, so that a metrical model's bar positions take several values.
            cut = 40 if len(music) >= 44 else 8
            if len(music) >= cut + 4:
                return caption, music[:cut], music[cut:cut + 3]
    caption = [text_ids["bos_id"]] + [(7 * i + 3) % (cfg.text_vocab - 2) + 2 for i in range(6)]
    music = [music_ids["bos_id"]] + [(11 * i + 5) % (cfg.music_vocab - 3) + 3 for i in range(10)]
    return caption, music[:8], music[8:11]


@torch.no_grad()
def pytorch_reference(model, caption, prefix, steps):
    """PyTorch's logits through the cached decode path for the prefill's last position and each step, checked
    against the teacher-forced forward pass (the training path) on the whole sequence."""
    cfg = model.cfg
    text_ids = torch.tensor([caption])
    text_mask = torch.ones_like(text_ids)
    cross_k, cross_v = model.cross_kv(text_ids, text_mask)
    empty = torch.zeros(cfg.dec_layers, 1, cfg.n_heads, 0, cfg.head_dim)
    n = len(prefix)
    bars = bar_position_ids(torch.tensor([prefix + steps])) if cfg.metrical else None
    logits, pk, pv = model.decode(torch.tensor([prefix]), torch.arange(n)[None], torch.ones(1, n, dtype=torch.long),
                                  empty, empty, cross_k, cross_v, text_mask, None if bars is None else bars[:, :n])
    rows = [logits[0, -1]]
    for i, token in enumerate(steps):
        logits, pk, pv = model.decode(torch.tensor([[token]]), torch.tensor([[n + i]]),
                                      torch.ones(1, n + i + 1, dtype=torch.long), pk, pv, cross_k, cross_v, text_mask,
                                      None if bars is None else bars[:, n + i:n + i + 1])
        rows.append(logits[0, -1])
    cached = torch.stack(rows)
    full = model(text_ids, text_mask, torch.tensor([prefix + steps]))[0, n - 1:]
    drift = float((cached - full).abs().max())
    if drift > 1e-4:
        raise ExportError(f"the cached decode path differs from the training forward pass by {drift:.2e}")
    # The graph that is exported computes the same logits with its slot cache (spare junk columns included).
    slot_drift = float(np.abs(slot_reference(model, caption, prefix, steps) - cached.numpy()).max())
    if slot_drift > 1e-4:
        raise ExportError(f"the slot-cache decoder (slot_decoder.py) differs from MotifModel.decode by {slot_drift:.2e}")
    return cached.numpy()


class OrtCache:
    """A slot cache (slot_decoder.py) for the onnxruntime runs: `capacity` columns per row, filled from the column
    after `start` (left padding: a row's tokens end at the same column as every other row's)."""

    def __init__(self, cfg, rows, capacity):
        self.k = np.zeros((cfg.dec_layers, rows, cfg.n_heads, capacity, cfg.head_dim), dtype=np.float32)
        self.v = np.zeros_like(self.k)
        self.filled = 0

    def feed(self, cross_k, cross_v, real_past, new):
        """The cache and cross inputs, and the attention mask for rows whose last `real_past[r]` columns are tokens."""
        layers, rows, capacity = self.k.shape[0], self.k.shape[1], self.k.shape[3]
        mask = np.zeros((rows, capacity + new), dtype=np.int64)
        for r, length in enumerate(real_past):
            mask[r, self.filled - length:self.filled] = 1
        mask[:, capacity:] = 1
        feed = {"attention_mask": mask}
        for i in range(layers):
            feed.update({f"past_k_{i}": self.k[i], f"past_v_{i}": self.v[i], f"cross_k_{i}": cross_k[i],
                         f"cross_v_{i}": cross_v[i]})
        return feed

    def write(self, outputs):
        """The decoder's outputs after the logits: each layer's new keys, then each layer's new values."""
        layers = self.k.shape[0]
        s = outputs[0].shape[2]
        for i in range(layers):
            self.k[i, :, :, self.filled:self.filled + s] = outputs[i]
            self.v[i, :, :, self.filled:self.filled + s] = outputs[layers + i]
        self.filled += s


def run_onnxruntime(out, cfg, caption, prefix, steps, suffix=""):
    """The same prefill and steps through onnxruntime; returns the logits rows like pytorch_reference."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    encoder = ort.InferenceSession(str(out / f"encoder{suffix}.onnx"), options, providers=["CPUExecutionProvider"])
    decoder = ort.InferenceSession(str(out / f"decoder{suffix}.onnx"), options, providers=["CPUExecutionProvider"])
    text_ids = np.array([caption], dtype=np.int64)
    text_mask = np.ones_like(text_ids)
    cross_k, cross_v = encoder.run(None, {"text_ids": text_ids, "text_mask": text_mask})
    n = len(prefix)
    # Spare columns beyond what the tokens need: the mask must keep them out.
    cache = OrtCache(cfg, 1, n + len(steps) + 3)
    bars = bar_position_ids(torch.tensor([prefix + steps])).numpy()
    rows = []
    for i, ids in enumerate([prefix] + [[t] for t in steps]):
        start = 0 if i == 0 else n + i - 1
        feed = cache.feed(cross_k, cross_v, [start], len(ids))
        feed.update(input_ids=np.array([ids], dtype=np.int64), text_mask=text_mask,
                    position_ids=np.arange(start, start + len(ids), dtype=np.int64)[None])
        if cfg.metrical:
            feed["bar_position_ids"] = bars[:, start:start + len(ids)]
        logits, *new = decoder.run(None, feed)
        cache.write(new)
        rows.append(logits[0])
    return np.stack(rows)


def run_onnxruntime_padded(out, cfg, caption, prefix, step):
    """Two requests in one batch, the second left-padded by 3 with a shorter caption right-padded by 2, reading their
    prefixes and then one cached step: returns each call's logits [2,V]."""
    import onnxruntime as ort

    encoder = ort.InferenceSession(str(out / "encoder.onnx"), providers=["CPUExecutionProvider"])
    decoder = ort.InferenceSession(str(out / "decoder.onnx"), providers=["CPUExecutionProvider"])
    short_caption = caption[: max(1, len(caption) - 2)]
    pad = len(caption) - len(short_caption)
    text_ids = np.array([caption, short_caption + [0] * pad], dtype=np.int64)
    text_mask = np.array([[1] * len(caption), [1] * len(short_caption) + [0] * pad], dtype=np.int64)
    cross_k, cross_v = encoder.run(None, {"text_ids": text_ids, "text_mask": text_mask})
    short = prefix[:-3]
    input_ids = np.array([prefix, [0] * 3 + short], dtype=np.int64)
    cache = OrtCache(cfg, 2, len(prefix) + 2)
    prefill = cache.feed(cross_k, cross_v, [0, 0], len(prefix))
    # The padded row's first 3 new columns are no tokens: the prefill's own mask columns say so.
    prefill["attention_mask"][1, -len(prefix):-len(short)] = 0
    prefill.update(input_ids=input_ids, text_mask=text_mask,
                   position_ids=np.array([list(range(len(prefix))), [0] * 3 + list(range(len(short)))], dtype=np.int64))
    if cfg.metrical:
        prefill["bar_position_ids"] = bar_position_ids(torch.from_numpy(input_ids)).numpy()
    results = []
    logits, *new = decoder.run(None, prefill)
    cache.write(new)
    results.append(logits)
    feed = cache.feed(cross_k, cross_v, [len(prefix), len(short)], 1)
    feed.update(input_ids=np.array([[step], [step]], dtype=np.int64), text_mask=text_mask,
                position_ids=np.array([[len(prefix)], [len(short)]], dtype=np.int64))
    if cfg.metrical:
        feed["bar_position_ids"] = np.stack([bar_position_ids(torch.tensor([ids + [step]]))[0, -1:].numpy()
                                             for ids in (prefix, short)])
    results.append(decoder.run(None, feed)[0])
    return results, short_caption, short


def verify_with_onnxruntime(out, model, caption, prefix, steps, reference):
    cfg = model.cfg
    got = run_onnxruntime(out, cfg, caption, prefix, steps)
    diff = float(np.abs(got - reference).max())
    print(f"onnxruntime vs PyTorch, prefill + {len(steps)} cached steps: max abs diff {diff:.2e}")
    if not diff < TOLERANCE:
        raise ExportError(f"onnxruntime logits differ from PyTorch by {diff:.2e} (limit {TOLERANCE})")
    (prefill, step), short_caption, short = run_onnxruntime_padded(out, cfg, caption, prefix, steps[0])

    def last_logits(text, music):
        with torch.no_grad():
            return model(torch.tensor([text]), torch.ones(1, len(text), dtype=torch.long), torch.tensor([music]))[0, -1].numpy()

    expected = [(prefill[0], last_logits(caption, prefix)), (prefill[1], last_logits(short_caption, short)),
                (step[0], last_logits(caption, prefix + steps[:1])), (step[1], last_logits(short_caption, short + steps[:1]))]
    padded_diff = max(float(np.abs(got_row - want).max()) for got_row, want in expected)
    print(f"onnxruntime padded batch (prefill and a cached step) vs unbatched PyTorch: max abs diff {padded_diff:.2e}")
    if not padded_diff < TOLERANCE:
        raise ExportError(f"padded batching differs from unbatched runs by {padded_diff:.2e}")
    return {"max_abs_diff": diff, "padded_batch_max_abs_diff": padded_diff}


def quantize(out, cfg, caption, prefix, steps, reference):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    for name in ("encoder", "decoder"):
        quantize_dynamic(str(out / f"{name}.onnx"), str(out / f"{name}.int8.onnx"), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Gemm"])
    got = run_onnxruntime(out, cfg, caption, prefix, steps, suffix=".int8")
    result = {"max_abs_diff": float(np.abs(got - reference).max()),
              "top1_agreement": float(np.mean(got.argmax(-1) == reference.argmax(-1)))}
    print(f"int8 vs fp32 PyTorch: max abs diff {result['max_abs_diff']:.3f}, top-1 agreement "
          f"{result['top1_agreement']:.2f}")
    return result


def write_parity(out, caption, prefix, steps, reference):
    bars = bar_position_ids(torch.tensor([prefix + steps]))[0].tolist()
    parity = {
        "tolerance": TOLERANCE,
        "text_ids": caption,
        "text_mask": [1] * len(caption),
        "prefix_ids": prefix,
        "prefix_position_ids": list(range(len(prefix))),
        "step_ids": steps,
        "step_position_ids": list(range(len(prefix), len(prefix) + len(steps))),
        # Fed to a metrical model only; written always, so the TypeScript side can check its own computation.
        "prefix_bar_position_ids": bars[:len(prefix)],
        "step_bar_position_ids": bars[len(prefix):],
        "note": "logits[0] is the prefill's last position; logits[i] the i-th one-token step fed step_ids[i-1] with "
                "the cache; B = 1, attention_mask all ones",
        "argmax": [int(i) for i in reference.argmax(-1)],
        "logits": [[round(float(x), 5) for x in row] for row in reference],
    }
    (out / "parity.json").write_text(json.dumps(parity) + "\n")


# Below this, captions do not move the predictions: the text encoder is switched off (models/MODEL.md tells how a
# model ends up so), guidance only doubles the work, and the manifest recommends guidance 1.
TEXT_SENSITIVITY_FLOOR = 1e-3


@torch.no_grad()
def text_sensitivity(model, data, examples=16, header_positions=12):
    """How much a caption moves the model: the mean absolute difference of the header tokens' log-probabilities
    between each validation example's first caption and the empty caption. None without a dataset."""
    if data is None:
        return None
    split = Split(Path(data), "validation", read_index(data))
    diffs = []
    for i in np.linspace(0, len(split) - 1, num=min(examples, len(split)), dtype=int):
        music = torch.from_numpy(split.music_ids(int(i))[:header_positions])[None]
        caption = torch.from_numpy(split.caption_ids(split.caption_range(int(i))[0]))[None]
        empty = torch.tensor([[split.text_vocab["bos_id"]]])
        with_text = torch.log_softmax(model(caption, torch.ones_like(caption), music), dim=-1)
        without = torch.log_softmax(model(empty, torch.ones_like(empty), music), dim=-1)
        diffs.append((with_text - without).abs().mean().item())
    return float(np.mean(diffs))


def read_metrics(ckpt, checkpoint):
    path = metrics_path(ckpt)
    if path.exists():
        metrics = json.loads(path.read_text())
        if metrics.get("step") == checkpoint["step"]:
            return {k: metrics[k] for k in ("validation", "test") if k in metrics}
        print(f"warning: {path} is from step {metrics.get('step')}, not {checkpoint['step']}: run evaluate.py again")
    else:
        print(f"warning: no {path.name}: run evaluate.py for test metrics; the manifest gets the best validation loss")
    return {"validation": {"loss": checkpoint["best_val_loss"]}}


def data_doc_hash():
    doc = REPO / "docs" / "DATA.md"
    return sha256_of(doc) if doc.exists() else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ckpt", required=True)
    parser.add_argument("--out", default="models")
    parser.add_argument("--data", default=None, help="dataset folder, for parity inputs and the text tokenizer "
                                                     "(default: data/built when it exists)")
    parser.add_argument("--int8", action="store_true", help="also write dynamically quantized int8 graphs")
    args = parser.parse_args()

    ckpt = Path(args.ckpt)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = args.data or ("data/built" if Path("data/built/index.json").exists() else None)
    checkpoint = load_checkpoint(ckpt)
    cfg = ModelConfig.from_dict(checkpoint["model_config"])
    model = MotifModel(cfg)
    model.load_state_dict(checkpoint["model"])
    model.eval()
    model.set_fused_attention(False)  # the plain attention math exports to standard ONNX ops on every PyTorch
    dataset = checkpoint["dataset"]
    if data is not None:
        try:
            index = read_index(data)
        except DatasetError as error:
            raise SystemExit(str(error))
        if index["music_vocab"].get("hash") != dataset["music_vocab"].get("hash"):
            raise SystemExit(f"{data} has another music vocabulary than the checkpoint's: pass the training dataset")
        if args.data is None and index["text_vocab"].get("hash") != dataset["text_vocab"].get("hash"):
            # The default folder holds another model's dataset (a smoke model's export, say): its caption ids would
            # fall outside this model's text vocabulary.
            print(f"note: {data} has another text vocabulary than the checkpoint's: not used (pass --data)")
            data = None

    export_graphs(model, out)
    # torch.onnx.export hands the wrappers back in training mode; the parity reference must run without dropout.
    model.eval()
    check_structure(out / "encoder.onnx", ENCODER_INPUTS, ENCODER_OUTPUTS)
    check_structure(out / "decoder.onnx", decoder_inputs(cfg), decoder_outputs(cfg))
    print("onnx.checker: encoder.onnx and decoder.onnx are valid")

    caption, prefix, steps = parity_inputs(cfg, data, dataset["music_vocab"], dataset["text_vocab"])
    reference = pytorch_reference(model, caption, prefix, steps)
    write_parity(out, caption, prefix, steps, reference)

    sensitivity = text_sensitivity(model, data)
    if sensitivity is not None:
        print(f"text sensitivity: {sensitivity:.2e} (mean |log p(header | caption) - log p(header | empty caption)|)")
        if sensitivity < TEXT_SENSITIVITY_FLOOR:
            print("warning: captions do not move this model's predictions (its text encoder is switched off); "
                  "the manifest recommends guidance 1")

    files = {"encoder": file_entry(out / "encoder.onnx"), "decoder": file_entry(out / "decoder.onnx")}
    parity = {"onnxruntime": None}
    try:
        import onnxruntime
    except ImportError:
        onnxruntime = None
        print("onnxruntime is not importable here: skipping the ONNX Runtime parity check and int8 graphs "
              "(parity.json is written; the TypeScript side checks the same numbers)")
    if onnxruntime is not None:
        parity = {"onnxruntime": onnxruntime.__version__,
                  **verify_with_onnxruntime(out, model, caption, prefix, steps, reference)}
        if args.int8:
            parity["int8"] = quantize(out, cfg, caption, prefix, steps, reference)
            files["encoder_int8"] = file_entry(out / "encoder.int8.onnx")
            files["decoder_int8"] = file_entry(out / "decoder.int8.onnx")
    files["parity"] = file_entry(out / "parity.json")

    tokenizer_sources = [ckpt.parent / "text-tokenizer.json"] + ([Path(data) / "text-tokenizer.json"] if data else [])
    tokenizer = next((p for p in tokenizer_sources if p.exists()), None)
    if tokenizer is not None:
        shutil.copyfile(tokenizer, out / "text-tokenizer.json")
        files["text_tokenizer"] = file_entry(out / "text-tokenizer.json")
    else:
        print("warning: no text-tokenizer.json next to the checkpoint or in the dataset: inference will need one")

    config = checkpoint["config"]
    short_hash = hashlib.sha256((files["encoder"]["sha256"] + files["decoder"]["sha256"]).encode()).hexdigest()[:8]
    today = datetime.datetime.now(datetime.timezone.utc)
    manifest = {
        "id": f"motif-{config['name']}-{today:%Y%m%d}-{short_hash}",
        "format": "motif-model-v1",
        "created": today.isoformat(timespec="seconds"),
        "opset": OPSET,
        "architecture": {**cfg.to_dict(), "head_dim": cfg.head_dim, "parameters": count_params(cfg),
                         "tied_embeddings": True, "positions": "learned absolute"
                         + (" + bar position (metrical)" if cfg.metrical else "")},
        "special_ids": {"music": {k: dataset["music_vocab"][k] for k in ("pad_id", "bos_id", "eos_id")},
                        "text": {k: dataset["text_vocab"][k] for k in ("pad_id", "bos_id")}},
        "music_vocab_hash": dataset["music_vocab"].get("hash"),
        "text_vocab_hash": dataset["text_vocab"].get("hash"),
        "data_doc_sha256": data_doc_hash(),
        "files": files,
        "metrics": read_metrics(ckpt, checkpoint),
        "training": {"config": config, "checkpoint": ckpt.name, "steps": checkpoint["step"],
                     "tokens": checkpoint["tokens_seen"], "hardware": checkpoint["hardware"],
                     "seconds": round(checkpoint["train_seconds"]), "torch": checkpoint["torch"],
                     "best_val_loss": checkpoint["best_val_loss"], "dataset_splits": dataset.get("splits"),
                     "init": checkpoint.get("init")},
        "parity": parity,
        "text_sensitivity": sensitivity,
    }
    if checkpoint.get("preferences"):
        # A model tuned by dpo.py: the preference data it learnt from (file hash, pair counts, beta, held-out results).
        manifest["training"]["preferences"] = checkpoint["preferences"]
    if sensitivity is not None and sensitivity < TEXT_SENSITIVITY_FLOOR:
        manifest["sampling"] = {"guidance": 1}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {out}/manifest.json: {manifest['id']}")
    for entry in files.values():
        print(f"  {entry['name']}: {entry['bytes'] / 1e6:.1f} MB")
    too_big = [e["name"] for e in files.values() if e["bytes"] >= MAX_FILE_BYTES]
    if too_big:
        raise SystemExit(f"{', '.join(too_big)} reach 100 MB: choose a smaller model config")


if __name__ == "__main__":
    try:
        main()
    except ExportError as error:
        raise SystemExit(f"export failed: {error}")
