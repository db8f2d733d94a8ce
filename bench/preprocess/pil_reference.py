#!/usr/bin/python3
"""The reference's preprocessing, for timing against `dermafleet preprocess --out-dir`.

Exactly the model card's pipeline as transformers' ViTImageProcessor computes it (Pillow +
numpy; transformers itself is not needed for the arithmetic): Image.open(p).convert("RGB"),
PIL bilinear resize to the model size, uint8 -> float64 * rescale_factor -> float32,
(x - mean) / std in float32, HWC -> CHW, written as DIR/<file name>.f32 like dermafleet does,
so the two outputs can be compared byte for byte.

    /usr/bin/python3 pil_reference.py --model MODEL_DIR --out-dir DIR image...
"""
import json
import os
import sys

import numpy as np
from PIL import Image


def main(argv):
    model = argv[argv.index("--model") + 1]
    out_dir = argv[argv.index("--out-dir") + 1]
    skip = {argv.index("--model"), argv.index("--model") + 1, argv.index("--out-dir"), argv.index("--out-dir") + 1}
    images = [a for i, a in enumerate(argv) if i not in skip]
    with open(os.path.join(model, "preprocessor_config.json")) as f:
        cfg = json.load(f)
    size = (cfg["size"]["width"], cfg["size"]["height"])
    resample = cfg.get("resample", 2)
    factor = cfg.get("rescale_factor", 1 / 255)
    mean = np.array(cfg.get("image_mean", [0.5, 0.5, 0.5]), dtype=np.float32)
    std = np.array(cfg.get("image_std", [0.5, 0.5, 0.5]), dtype=np.float32)
    os.makedirs(out_dir, exist_ok=True)
    for path in images:
        image = Image.open(path).convert("RGB")
        if image.size != size:
            image = image.resize(size, resample=resample)
        x = (np.asarray(image).astype(np.float64) * factor).astype(np.float32)
        x = (x - mean) / std
        chw = np.ascontiguousarray(x.transpose(2, 0, 1))
        with open(os.path.join(out_dir, os.path.basename(path) + ".f32"), "wb") as f:
            f.write(chw.tobytes())


if __name__ == "__main__":
    main(sys.argv[1:])
