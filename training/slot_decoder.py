"""
The decoder as decoder.onnx runs it: a key/value cache of fixed capacity that the caller owns and updates in place.

The graph reads the cache and never copies it: each layer's past keys and values are separate inputs [B,H,C,Dh]
(C is the cache's capacity; the attention mask says which columns hold tokens), attention runs over the past and the
new tokens as two blocks under one softmax, and only the new tokens' keys and values leave the graph, for the caller
to write into its cache at the next free column. Only the last new position's logits are computed: the caller samples
from nothing else. The math is MotifModel.decode's (training/model.py), written out again here for the graph's sake
and checked against it by slot_reference (export.py runs it at every export).
"""
import torch
import torch.nn as nn

from model import MotifModel, bar_position_ids


def slot_input_names(cfg):
    layers = range(cfg.dec_layers)
    return (["input_ids", "position_ids", "attention_mask"] + [f"past_k_{i}" for i in layers]
            + [f"past_v_{i}" for i in layers] + [f"cross_k_{i}" for i in layers] + [f"cross_v_{i}" for i in layers]
            + ["text_mask"] + (["bar_position_ids"] if cfg.metrical else []))


def slot_output_names(cfg):
    layers = range(cfg.dec_layers)
    return ["logits"] + [f"new_k_{i}" for i in layers] + [f"new_v_{i}" for i in layers]


class SlotDecoder(nn.Module):
    """input_ids, position_ids [B,S]; attention_mask [B,C+S] (1 = attend); past_k_i, past_v_i [B,H,C,Dh] for each
    layer i; cross_k_i, cross_v_i [B,H,T,Dh]; text_mask [B,T]; bar_position_ids [B,S] for a metrical model
    -> logits [B,V] of the last new position, new_k_i, new_v_i [B,H,S,Dh] for each layer i.

    Written for few graph nodes, as onnxruntime pays for each node of a one-token step about as much as for the
    arithmetic: the hidden states stay [B*S, D] between attentions (each Linear becomes one Gemm, and merging the
    heads back needs no shape), and every head split reshapes to shapes taken once from input_ids (the same nodes
    for every layer, which onnxruntime's common-subexpression pass then keeps once)."""

    def __init__(self, model: MotifModel):
        super().__init__()
        self.model = model

    def forward(self, input_ids, position_ids, attention_mask, *rest):
        m = self.model
        cfg = m.cfg
        n = cfg.dec_layers
        past_k, past_v, cross_k, cross_v = rest[:n], rest[n:2 * n], rest[2 * n:3 * n], rest[3 * n:4 * n]
        text_mask = rest[4 * n]
        b, s = input_ids.shape
        c = past_k[0].shape[2]

        def heads(x):
            """[B*S, D] -> [B,H,S,Dh]."""
            return x.reshape(b, s, cfg.n_heads, cfg.head_dim).transpose(1, 2)

        def merged(y):
            """[B,H,S,Dh] -> [B*S, D]."""
            return y.transpose(1, 2).reshape(-1, cfg.d_model)

        key_slot = torch.arange(c + s, device=input_ids.device)
        query_slot = torch.arange(s, device=input_ids.device) + c
        causal = key_slot[None, :] <= query_slot[:, None]
        self_blocked = ~(causal[None, None] & attention_mask.bool()[:, None, None, :])
        cross_blocked = ~text_mask.bool()[:, None, None, :]
        x = m.tokens(input_ids) + m.positions(position_ids)
        if m.bar_positions is not None:
            x = x + m.bar_positions(rest[4 * n + 1])
        x = x.reshape(-1, cfg.d_model)
        floor = torch.finfo(x.dtype).min
        new_k, new_v = [], []
        for i, block in enumerate(m.blocks):
            attn = block.self_attn
            h = block.ln_self(x)
            kv = attn.key_value(h)
            # Constant bounds: chunk() would compute them from kv's shape, five more nodes a layer.
            k, v = kv[:, :cfg.d_model], kv[:, cfg.d_model:]
            q, k, v = heads(attn.query(h) * attn.scale), heads(k), heads(v)
            # Past and new keys as two blocks under one softmax: the cache is read where it lies, never concatenated.
            scores = torch.cat([torch.matmul(q, past_k[i].transpose(-2, -1)), torch.matmul(q, k.transpose(-2, -1))], dim=-1)
            weights = torch.softmax(scores.masked_fill(self_blocked, floor), dim=-1)
            y = torch.matmul(weights[..., :c], past_v[i]) + torch.matmul(weights[..., c:], v)
            x = x + attn.out(merged(y))
            cross = block.cross_attn
            q = heads(cross.query(block.ln_cross(x)) * cross.scale)
            scores = torch.matmul(q, cross_k[i].transpose(-2, -1)).masked_fill(cross_blocked, floor)
            x = x + cross.out(merged(torch.matmul(torch.softmax(scores, dim=-1), cross_v[i])))
            x = x + block.ffn(block.ln_ffn(x))
            new_k.append(k)
            new_v.append(v)
        last = x.reshape(b, s, cfg.d_model)[:, -1]
        return (m.head(m.ln_out(last)), *new_k, *new_v)


class SlotCache:
    """A caller's cache for one row: capacity columns per layer, filled from the left; unused columns hold junk that
    the attention mask keeps out (finite, as a masked weight of 0 times NaN would still be NaN)."""

    def __init__(self, cfg, capacity, generator):
        shape = (cfg.dec_layers, 1, cfg.n_heads, capacity, cfg.head_dim)
        self.k = torch.randn(shape, generator=generator)
        self.v = torch.randn(shape, generator=generator)
        self.filled = 0

    def feed(self, new_ids):
        capacity = self.k.size(3)
        mask = torch.zeros(1, capacity + new_ids, dtype=torch.long)
        mask[:, :self.filled] = 1
        mask[:, capacity:] = 1
        return mask, list(self.k.unbind(0)), list(self.v.unbind(0))

    def write(self, new_k, new_v):
        """new_k, new_v: each layer's [1,H,S,Dh]."""
        s = new_k[0].size(2)
        for i, (k, v) in enumerate(zip(new_k, new_v)):
            self.k[i, :, :, self.filled:self.filled + s] = k
            self.v[i, :, :, self.filled:self.filled + s] = v
        self.filled += s


@torch.no_grad()
def slot_reference(model, caption, prefix, steps, spare=3):
    """The prefill's last logits and each step's, through SlotDecoder in PyTorch with a cache holding `spare` unused
    junk columns, as pytorch_reference (export.py) returns them through MotifModel.decode."""
    cfg = model.cfg
    graph = SlotDecoder(model)
    text_ids = torch.tensor([caption])
    text_mask = torch.ones_like(text_ids)
    cross_k, cross_v = model.cross_kv(text_ids, text_mask)
    cache = SlotCache(cfg, len(prefix) + len(steps) + spare, torch.Generator().manual_seed(0))
    sequence = prefix + steps
    bars = bar_position_ids(torch.tensor([sequence]))
    rows = []
    for start, end in [(0, len(prefix))] + [(len(prefix) + i, len(prefix) + i + 1) for i in range(len(steps))]:
        mask, past_k, past_v = cache.feed(end - start)
        inputs = [torch.tensor([sequence[start:end]]), torch.arange(start, end)[None], mask, *past_k, *past_v,
                  *cross_k.unbind(0), *cross_v.unbind(0), text_mask]
        if cfg.metrical:
            inputs.append(bars[:, start:end])
        logits, *new = graph(*inputs)
        cache.write(new[:cfg.dec_layers], new[cfg.dec_layers:])
        rows.append(logits[0])
    return torch.stack(rows).numpy()
