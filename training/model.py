"""
The Motif text-to-music model: a Transformer text encoder and a Transformer music decoder that cross-attends to it.

Both stacks are pre-LN. The decoder has learned absolute positions and ties its output projection to its input
embedding. With `metrical`, every decoder input also gets an embedding of where it stands in its bar (the bar's clock:
see bar_position_ids), so that "where does the next note fall" is read from the input instead of being searched for
in the context (models/MODEL.md: the rhythm diagnosis).
The same blocks serve training (whole sequences, no cache) and export (the encoder projected once to
every decoder layer's cross-attention keys and values; the decoder stepping with a key/value cache).
"""
import math
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vocab import BAR, POSITION_START, POSITIONS  # noqa: E402

# PyTorch 2.x has a fused attention kernel; 1.13 does not. Export always uses the plain math (see Attention).
HAS_FUSED_ATTENTION = hasattr(F, "scaled_dot_product_attention")


@dataclass
class ModelConfig:
    music_vocab: int
    text_vocab: int
    d_model: int = 256
    n_heads: int = 4
    enc_layers: int = 2
    dec_layers: int = 6
    ffn_mult: int = 4
    dropout: float = 0.1
    max_music_len: int = 1024
    max_text_len: int = 64
    # An embedding of each token's place in its bar (bar_position_ids) added to the decoder's input.
    metrical: bool = False

    def __post_init__(self):
        if self.d_model % self.n_heads != 0:
            raise ValueError(f"d_model {self.d_model} is not divisible by n_heads {self.n_heads}")

    @property
    def head_dim(self):
        return self.d_model // self.n_heads

    @classmethod
    def from_dict(cls, values):
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown model settings {sorted(unknown)}")
        return cls(**values)

    def to_dict(self):
        return asdict(self)


# Values of bar_position_ids: 0 in the header, 1 from a BAR until the bar's first position, 2 + k from POS_k on.
BAR_POSITION_IDS = 2 + POSITIONS


def bar_position_ids(music_ids):
    """Where each token of music_ids [B,S] stands in its bar, as the grammar reads it: the value of the last BAR or
    POS token at or before it (docs/tokens.md; src/tokens/bar-position.ts computes the same while decoding)."""
    is_bar = music_ids == BAR
    offset = music_ids - POSITION_START
    is_position = (offset >= 0) & (offset < POSITIONS)
    value = torch.where(is_position, offset + 2, is_bar.long())
    slot = torch.arange(music_ids.size(1), device=music_ids.device).expand_as(music_ids)
    last = torch.where(is_bar | is_position, slot, torch.full_like(slot, -1)).cummax(dim=1).values
    return torch.where(last >= 0, value.gather(1, last.clamp(min=0)), torch.zeros_like(value))


def attend(q, k, v, allowed, scale, fused):
    """Scaled dot-product attention (scale = 1/sqrt(head_dim)). q [B,H,S,Dh], k/v [B,H,K,Dh]; allowed: bool,
    broadcastable to [B,H,S,K], or the string "causal" for a square causal mask. No dropout on the attention weights:
    on a CPU it costs as much as the attention itself, and the residual dropout regularizes enough."""
    if fused:
        if isinstance(allowed, str):
            return F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    if isinstance(allowed, str):
        s, n = q.size(-2), k.size(-2)
        allowed = torch.ones(s, n, dtype=torch.bool, device=q.device).tril()
    scores = torch.matmul(q * scale, k.transpose(-2, -1))
    # A finite fill rather than -inf: a row with nothing allowed (a padded query) then averages instead of
    # producing NaN, and its output is never read.
    scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
    return torch.matmul(torch.softmax(scores, dim=-1), v)


class Attention(nn.Module):
    """Multi-head attention whose query comes from x and whose keys/values come from x (self) or from memory
    (cross). Key/value projection is a separate step so the encoder side can be precomputed and cached."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.n_heads = cfg.n_heads
        self.head_dim = cfg.head_dim
        self.scale = 1.0 / math.sqrt(cfg.head_dim)
        self.query = nn.Linear(cfg.d_model, cfg.d_model)
        self.key_value = nn.Linear(cfg.d_model, 2 * cfg.d_model)
        self.out = nn.Linear(cfg.d_model, cfg.d_model)
        self.fused = HAS_FUSED_ATTENTION

    def split_heads(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.n_heads, self.head_dim).transpose(1, 2)

    def project_kv(self, source):
        """[B,T,D] -> keys, values [B,H,T,Dh]."""
        k, v = self.key_value(source).chunk(2, dim=-1)
        return self.split_heads(k), self.split_heads(v)

    def forward(self, x, k, v, allowed):
        q = self.split_heads(self.query(x))
        y = attend(q, k, v, allowed, self.scale, self.fused)
        b, _, s, _ = y.shape
        return self.out(y.transpose(1, 2).reshape(b, s, self.n_heads * self.head_dim))


class FeedForward(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.up = nn.Linear(cfg.d_model, cfg.ffn_mult * cfg.d_model)
        self.down = nn.Linear(cfg.ffn_mult * cfg.d_model, cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.dropout(self.down(F.gelu(self.up(x))))


class EncoderBlock(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln_attn = nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.ln_ffn = nn.LayerNorm(cfg.d_model)
        self.ffn = FeedForward(cfg)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, key_allowed):
        h = self.ln_attn(x)
        k, v = self.attn.project_kv(h)
        x = x + self.dropout(self.attn(h, k, v, key_allowed))
        return x + self.ffn(self.ln_ffn(x))


class DecoderBlock(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln_self = nn.LayerNorm(cfg.d_model)
        self.self_attn = Attention(cfg)
        self.ln_cross = nn.LayerNorm(cfg.d_model)
        self.cross_attn = Attention(cfg)
        self.ln_ffn = nn.LayerNorm(cfg.d_model)
        self.ffn = FeedForward(cfg)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, self_allowed, cross_k, cross_v, cross_allowed, past_k=None, past_v=None):
        """Returns the new hidden states and this layer's full self-attention keys/values (past + new)."""
        h = self.ln_self(x)
        k, v = self.self_attn.project_kv(h)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        x = x + self.dropout(self.self_attn(h, k, v, self_allowed))
        x = x + self.dropout(self.cross_attn(self.ln_cross(x), cross_k, cross_v, cross_allowed))
        x = x + self.ffn(self.ln_ffn(x))
        return x, k, v


class TextEncoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.tokens = nn.Embedding(cfg.text_vocab, cfg.d_model)
        self.positions = nn.Embedding(cfg.max_text_len, cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList([EncoderBlock(cfg) for _ in range(cfg.enc_layers)])
        self.ln_out = nn.LayerNorm(cfg.d_model)

    def forward(self, text_ids, text_mask):
        t = text_ids.size(1)
        positions = torch.arange(t, device=text_ids.device)
        x = self.dropout(self.tokens(text_ids) + self.positions(positions)[None])
        key_allowed = text_mask.bool()[:, None, None, :]
        for block in self.blocks:
            x = block(x, key_allowed)
        return self.ln_out(x)


class MotifModel(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = TextEncoder(cfg)
        self.tokens = nn.Embedding(cfg.music_vocab, cfg.d_model)
        self.positions = nn.Embedding(cfg.max_music_len, cfg.d_model)
        self.bar_positions = nn.Embedding(BAR_POSITION_IDS, cfg.d_model) if cfg.metrical else None
        self.dropout = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList([DecoderBlock(cfg) for _ in range(cfg.dec_layers)])
        self.ln_out = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.music_vocab, bias=False)
        self.head.weight = self.tokens.weight
        self.apply(self._init_weights)
        # GPT-2's scaling of the projections that write into the residual stream, so depth does not grow it.
        residual_std = 0.02 / math.sqrt(2 * (cfg.enc_layers + cfg.dec_layers))
        for name, p in self.named_parameters():
            # ".out.weight", not "out.weight": the final LayerNorms are named ln_out, and their gains must start at 1
            # (near 0, the encoder's output reaches the cross-attention too weak to tell captions apart: models/MODEL.md).
            if name.endswith((".out.weight", ".down.weight")):
                nn.init.normal_(p, mean=0.0, std=residual_std)
        if self.bar_positions is not None:
            # Zero: a model continued from one without it starts out computing exactly what it did.
            nn.init.zeros_(self.bar_positions.weight)

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def set_fused_attention(self, enabled):
        for m in self.modules():
            if isinstance(m, Attention):
                m.fused = enabled and HAS_FUSED_ATTENTION

    def num_params(self):
        return sum(p.numel() for p in self.parameters())

    def cross_kv(self, text_ids, text_mask):
        """Encode the caption and project it to every decoder layer's cross-attention keys/values:
        two tensors [L_dec, B, H, T, Dh]."""
        memory = self.encoder(text_ids, text_mask)
        keys, values = zip(*(block.cross_attn.project_kv(memory) for block in self.blocks))
        return torch.stack(keys), torch.stack(values)

    def forward(self, text_ids, text_mask, music_ids):
        """Teacher-forced logits [B,S,V] for whole music sequences (right padded; causal attention keeps pads out of
        every real position's view)."""
        memory = self.encoder(text_ids, text_mask)
        cross_allowed = text_mask.bool()[:, None, None, :]
        s = music_ids.size(1)
        positions = torch.arange(s, device=music_ids.device)
        x = self.tokens(music_ids) + self.positions(positions)[None]
        if self.bar_positions is not None:
            x = x + self.bar_positions(bar_position_ids(music_ids))
        x = self.dropout(x)
        for block in self.blocks:
            cross_k, cross_v = block.cross_attn.project_kv(memory)
            x, _, _ = block(x, "causal", cross_k, cross_v, cross_allowed)
        return self.head(self.ln_out(x))

    def decode(self, input_ids, position_ids, attention_mask, past_k, past_v, cross_k, cross_v, text_mask,
               bar_position_ids=None):
        """One decoder call with a key/value cache; the contract of decoder.onnx.

        input_ids, position_ids [B,S] (and bar_position_ids [B,S] for a metrical model: the caller tracks the bar); attention_mask [B,P+S] (1 = attend); past_k/past_v [L,B,H,P,Dh] (P may be 0);
        cross_k/cross_v [L,B,H,T,Dh]; text_mask [B,T]. Returns logits [B,S,V], present_k/present_v [L,B,H,P+S,Dh].
        """
        p = past_k.size(3)
        s = input_ids.size(1)
        key_slot = torch.arange(p + s, device=input_ids.device)
        query_slot = torch.arange(s, device=input_ids.device) + p
        causal = key_slot[None, :] <= query_slot[:, None]
        self_allowed = causal[None, None] & attention_mask.bool()[:, None, None, :]
        cross_allowed = text_mask.bool()[:, None, None, :]
        x = self.tokens(input_ids) + self.positions(position_ids)
        if self.bar_positions is not None:
            if bar_position_ids is None:
                raise ValueError("a metrical model needs bar_position_ids")
            x = x + self.bar_positions(bar_position_ids)
        present_k, present_v = [], []
        for i, block in enumerate(self.blocks):
            x, k, v = block(x, self_allowed, cross_k[i], cross_v[i], cross_allowed, past_k[i], past_v[i])
            present_k.append(k)
            present_v.append(v)
        logits = self.head(self.ln_out(x))
        return logits, torch.stack(present_k), torch.stack(present_v)


def count_params(cfg: ModelConfig):
    """Parameter counts of the whole model and of the two exported graphs (what each ONNX file will hold)."""
    model = MotifModel(cfg)
    total = model.num_params()
    cross_kv = sum(b.cross_attn.key_value.weight.numel() + b.cross_attn.key_value.bias.numel() for b in model.blocks)
    encoder = sum(p.numel() for p in model.encoder.parameters()) + cross_kv
    return {"total": total, "encoder_graph": encoder, "decoder_graph": total - encoder}
