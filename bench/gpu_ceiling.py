#!/usr/bin/env python3
"""GPU ceiling for dermafleet's production model shape: ViT-L/32 at 384x384, 12 classes.

Builds the `large` demo preset's architecture (hidden 1024, 24 layers, 16 heads, MLP 4096,
patch 32, image 384, 12 labels) with random weights in PyTorch (transformers' ViTForImageClassification
when installed, else an equivalent plain-PyTorch ViT), and times forward passes at batch
1, 2, 4, 8, 16, 32, 64 in float32 and float16 on one GPU: images per second per batch size.
With `--onnx DIR` (a model directory with model.onnx) and onnxruntime-gpu importable, the same
batch sizes are also timed through onnxruntime's CUDA execution provider.

It needs a GPU machine (CUDA) and torch; it cannot run on the CPU-only dev machines. Example:

    python3 bench/gpu_ceiling.py --iters 50 --onnx .dermafleet/models/demo-large

Compare its images/s with `npm run bench -- worker` run on the same node with
ORT_EXECUTION_PROVIDERS=cuda,cpu to get the end-to-end / ceiling ratio on a GPU.
"""
from __future__ import annotations

import argparse
import json
import time

BATCHES = (1, 2, 4, 8, 16, 32, 64)
LARGE = dict(hidden=1024, layers=24, heads=16, mlp=4096, patch=32, image=384, channels=3, labels=12, eps=1e-12)


def build_model(torch):
    """The `large` preset's ViT with random weights: transformers' own class when available."""
    try:
        from transformers import ViTConfig, ViTForImageClassification

        config = ViTConfig(
            hidden_size=LARGE["hidden"],
            num_hidden_layers=LARGE["layers"],
            num_attention_heads=LARGE["heads"],
            intermediate_size=LARGE["mlp"],
            patch_size=LARGE["patch"],
            image_size=LARGE["image"],
            num_channels=LARGE["channels"],
            num_labels=LARGE["labels"],
            layer_norm_eps=LARGE["eps"],
        )
        model = ViTForImageClassification(config)
        return (lambda m, x: m(pixel_values=x).logits), model, "transformers ViTForImageClassification"
    except ImportError:
        return (lambda m, x: m(x)), plain_vit(torch), "plain PyTorch ViT (transformers not installed)"


def plain_vit(torch):
    nn = torch.nn
    c = LARGE
    patches = (c["image"] // c["patch"]) ** 2

    class Vit(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Conv2d(c["channels"], c["hidden"], c["patch"], stride=c["patch"])
            self.cls = nn.Parameter(torch.randn(1, 1, c["hidden"]) * 0.02)
            self.pos = nn.Parameter(torch.randn(1, patches + 1, c["hidden"]) * 0.02)
            layer = nn.TransformerEncoderLayer(
                c["hidden"], c["heads"], c["mlp"], dropout=0.0, activation="gelu",
                layer_norm_eps=c["eps"], batch_first=True, norm_first=True,
            )
            self.encoder = nn.TransformerEncoder(layer, c["layers"], enable_nested_tensor=False)
            self.norm = nn.LayerNorm(c["hidden"], eps=c["eps"])
            self.head = nn.Linear(c["hidden"], c["labels"])

        def forward(self, x):
            x = self.embed(x).flatten(2).transpose(1, 2)
            x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
            return self.head(self.norm(self.encoder(x))[:, 0])

    return Vit()


def time_torch(torch, forward, model, dtype, batches, iters, warmup):
    device = torch.device("cuda")
    model = model.to(device=device, dtype=dtype).eval()
    rows = []
    with torch.inference_mode():
        for batch in batches:
            x = torch.randn(batch, LARGE["channels"], LARGE["image"], LARGE["image"], device=device, dtype=dtype)
            try:
                for _ in range(warmup):
                    forward(model, x)
                torch.cuda.synchronize()
                start = time.perf_counter()
                for _ in range(iters):
                    forward(model, x)
                torch.cuda.synchronize()
                seconds = (time.perf_counter() - start) / iters
                rows.append({"batch": batch, "ms_per_batch": seconds * 1000, "images_per_s": batch / seconds})
            except torch.cuda.OutOfMemoryError:
                rows.append({"batch": batch, "error": "out of memory"})
                torch.cuda.empty_cache()
    return rows


def time_onnxruntime(onnx_dir, batches, iters, warmup, device_id):
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError:
        return None, "onnxruntime-gpu (and numpy) not importable: skipped"
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        return None, f"onnxruntime has no CUDAExecutionProvider ({ort.get_available_providers()}): skipped"
    session = ort.InferenceSession(
        f"{onnx_dir.rstrip('/')}/model.onnx",
        providers=[("CUDAExecutionProvider", {"device_id": device_id}), "CPUExecutionProvider"],
    )
    meta = session.get_inputs()[0]
    dtype = np.float16 if meta.type == "tensor(float16)" else np.float32
    rows = []
    for batch in batches:
        x = np.random.default_rng(0).standard_normal((batch, 3, LARGE["image"], LARGE["image"])).astype(dtype)
        for _ in range(warmup):
            session.run(None, {meta.name: x})
        start = time.perf_counter()
        for _ in range(iters):
            session.run(None, {meta.name: x})
        seconds = (time.perf_counter() - start) / iters
        rows.append({"batch": batch, "ms_per_batch": seconds * 1000, "images_per_s": batch / seconds})
    return rows, f"onnxruntime {ort.__version__} CUDA EP, input {meta.type} (host -> device copy included)"


def print_rows(title, rows):
    print(title)
    print("  batch   ms/batch   images/s")
    for r in rows:
        if "error" in r:
            print(f"  {r['batch']:>5}   {r['error']}")
        else:
            print(f"  {r['batch']:>5} {r['ms_per_batch']:>10.2f} {r['images_per_s']:>10.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batches", type=int, nargs="*", default=list(BATCHES))
    parser.add_argument("--device", type=int, default=0, help="GPU index (ORT_DEVICE_ID)")
    parser.add_argument("--onnx", help="a model directory with model.onnx to time through onnxruntime-gpu too")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    import torch  # imported here so --help works without torch

    if not torch.cuda.is_available():
        raise SystemExit("No CUDA device: run this on a GPU machine.")
    torch.cuda.set_device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = False  # plain fp32, as onnxruntime's CUDA EP runs it
    torch.manual_seed(0)
    forward, model, what = build_model(torch)
    params = sum(p.numel() for p in model.parameters())
    print(f"{torch.cuda.get_device_name(args.device)}; {what}; ViT-L/32 384x384, 12 classes, {params / 1e6:.0f}M parameters")
    figures = {"device": torch.cuda.get_device_name(args.device), "model": what}
    for name, dtype in (("fp32", torch.float32), ("fp16", torch.float16)):
        rows = time_torch(torch, forward, model, dtype, args.batches, args.iters, args.warmup)
        figures[name] = rows
        print_rows(f"PyTorch {name}:", rows)
    if args.onnx:
        rows, note = time_onnxruntime(args.onnx, args.batches, args.iters, args.warmup, args.device)
        print(note)
        if rows:
            figures["onnxruntime"] = rows
            print_rows("onnxruntime-gpu:", rows)
    else:
        print("onnxruntime-gpu: pass --onnx DIR to time a model directory through it")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)


if __name__ == "__main__":
    main()
