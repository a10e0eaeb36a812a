"""
The decoder as decoder.onnx runs it: a key/value cache of fixed capacity that the caller owns and updates in place.

The graph reads the cache and never copies it: each layer's past keys and values are separate inputs [B,H,C,Dh]
(C is the cache's capacity; the attention mask says which columns hold tokens), attention runs over the past and the
new tokens as two blocks under one softmax, and only the new tokens' keys and values leave the graph, for the caller
to write into its cache at the next free column. Only the last new position's logits are computed: the caller samples
from nothing else. The math is MotifModel.decode's (training/model.py), checked against it by slot_reference.
"""
import torch
import torch.nn as nn

from model import MotifModel, bar_position_ids


def slot_input_names(cfg):
    layers = range(cfg.dec_layers)
    return (["input_ids", "position_ids", "attention_mask"] + [f"past_k_{i}" for i in layers]
            + [f"past_v_{i}" for i in layers] + [f"cross_k_{i}" for i in layers] + [f"cross_v_{i}" for i in layers]
            + ["text_mask"] + (["bar_position_ids"] if cfg.metrical else []))


SLOT_OUTPUTS = ["logits", "new_k", "new_v"]


def two_block_attention(attn, h, past_k, past_v, k, v, allowed):
    """attn's attention of h over [past, new] without concatenating the cache: one softmax over both blocks' scores.
    allowed [B,1,S,C+S] covers the past's C columns, then the S new ones."""
    q = attn.split_heads(attn.query(h)) * attn.scale
    scores = torch.cat([torch.matmul(q, past_k.transpose(-2, -1)), torch.matmul(q, k.transpose(-2, -1))], dim=-1)
    scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
    weights = torch.softmax(scores, dim=-1)
    c = past_k.size(2)
    y = torch.matmul(weights[..., :c], past_v) + torch.matmul(weights[..., c:], v)
    b, _, s, _ = y.shape
    return attn.out(y.transpose(1, 2).reshape(b, s, attn.n_heads * attn.head_dim))


class SlotDecoder(nn.Module):
    """input_ids, position_ids [B,S]; attention_mask [B,C+S] (1 = attend); past_k_i, past_v_i [B,H,C,Dh] for each
    layer i; cross_k_i, cross_v_i [B,H,T,Dh]; text_mask [B,T]; bar_position_ids [B,S] for a metrical model
    -> logits [B,V] of the last new position, new_k, new_v [L,B,H,S,Dh]."""

    def __init__(self, model: MotifModel):
        super().__init__()
        self.model = model

    def forward(self, input_ids, position_ids, attention_mask, *rest):
        m = self.model
        n = m.cfg.dec_layers
        past_k, past_v, cross_k, cross_v = rest[:n], rest[n:2 * n], rest[2 * n:3 * n], rest[3 * n:4 * n]
        text_mask = rest[4 * n]
        c = past_k[0].size(2)
        s = input_ids.size(1)
        key_slot = torch.arange(c + s, device=input_ids.device)
        query_slot = torch.arange(s, device=input_ids.device) + c
        causal = key_slot[None, :] <= query_slot[:, None]
        self_allowed = causal[None, None] & attention_mask.bool()[:, None, None, :]
        cross_allowed = text_mask.bool()[:, None, None, :]
        x = m.tokens(input_ids) + m.positions(position_ids)
        if m.bar_positions is not None:
            x = x + m.bar_positions(rest[4 * n + 1])
        new_k, new_v = [], []
        for i, block in enumerate(m.blocks):
            h = block.ln_self(x)
            k, v = block.self_attn.project_kv(h)
            x = x + two_block_attention(block.self_attn, h, past_k[i], past_v[i], k, v, self_allowed)
            x = x + block.cross_attn(block.ln_cross(x), cross_k[i], cross_v[i], cross_allowed)
            x = x + block.ffn(block.ln_ffn(x))
            new_k.append(k)
            new_v.append(v)
        return m.head(m.ln_out(x[:, -1])), torch.stack(new_k), torch.stack(new_v)


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
        s = new_k.size(3)
        self.k[:, :, :, self.filled:self.filled + s] = new_k
        self.v[:, :, :, self.filled:self.filled + s] = new_v
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
        logits, new_k, new_v = graph(*inputs)
        cache.write(new_k, new_v)
        rows.append(logits[0])
    return torch.stack(rows).numpy()
