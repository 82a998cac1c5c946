"""Prints, as JSON, the faces onnxruntime finds with the vendored YuNet model in each image
given, decoded as OpenCV's FaceDetectorYN decodes them: the reference the Rust detector
(`clearance_idv::face::FaceDetector::detect_unscaled`) is held to.

    python -m pip install onnxruntime numpy pillow
    python yunet_reference.py IMAGE... > yunet_reference.json
"""

import json
import math
import pathlib
import sys

import numpy as np
import onnxruntime
from PIL import Image

MODEL = pathlib.Path(__file__).resolve().parents[3] / "models/face/yunet_n_dynamic.onnx"
STRIDES = (8, 16, 32)


def detect(session, path, min_score=0.5):
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
    h, w, _ = rgb.shape
    ph, pw = math.ceil(h / 32) * 32, math.ceil(w / 32) * 32
    blob = np.zeros((1, 3, ph, pw), dtype=np.float32)
    blob[0, :, :h, :w] = rgb[:, :, ::-1].transpose(2, 0, 1)
    names = [f"{k}_{s}" for k in ("cls", "obj", "bbox", "kps") for s in STRIDES]
    out = dict(zip(names, session.run(names, {"input": blob})))
    faces = []
    for s in STRIDES:
        cols, rows = pw // s, ph // s
        cls, obj = out[f"cls_{s}"][0, :, 0], out[f"obj_{s}"][0, :, 0]
        bbox, kps = out[f"bbox_{s}"][0], out[f"kps_{s}"][0]
        for k in range(rows * cols):
            score = math.sqrt(min(max(cls[k], 0), 1) * min(max(obj[k], 0), 1))
            if score < min_score:
                continue
            r, c = divmod(k, cols)
            cx, cy = (c + bbox[k, 0]) * s, (r + bbox[k, 1]) * s
            bw, bh = math.exp(bbox[k, 2]) * s, math.exp(bbox[k, 3]) * s
            points = [[(kps[k, 2 * n] + c) * s, (kps[k, 2 * n + 1] + r) * s] for n in range(5)]
            faces.append({"score": float(score), "bbox": [float(cx - bw / 2), float(cy - bh / 2), float(bw), float(bh)],
                          "landmarks": [[float(x), float(y)] for x, y in points]})
    faces.sort(key=lambda f: -f["score"])
    # The best face per image is what the tests compare; overlapping candidates are left out.
    return faces[:1]


def main():
    session = onnxruntime.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])
    result = {pathlib.Path(p).name: detect(session, p) for p in sys.argv[1:]}
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
