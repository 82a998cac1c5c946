"""Prints, as JSON, the class probabilities of the vendored MiniFASNet models for each 80x80 crop
given: the reference the Rust networks (`clearance_idv::face::spoof::MiniFasNet`) are held to.

No PyTorch wheel without CUDA libraries can be installed here, so this is an independent forward
pass in NumPy that follows the upstream modules (`src/model_lib/MiniFASNet.py` of
minivision-ai/Silent-Face-Anti-Spoofing at b6d5f04) layer by layer: convolution, then batch norm,
then PReLU, each on its own (the Rust side folds batch norms into the kernels). The state dicts are
read with Python's own `pickle`, not with the Rust reader.

    python -m pip install numpy pillow
    python minifasnet_reference.py CROP.png... > minifasnet_reference.json
"""

import collections
import json
import pathlib
import pickle
import struct
import sys

import numpy as np
from PIL import Image

MODELS = pathlib.Path(__file__).resolve().parents[3] / "models/face"
FILES = ["minifasnet_v2_80x80_scale2.7.pth", "minifasnet_v1se_80x80_scale4.pth"]
DTYPES = {"FloatStorage": np.float32, "LongStorage": np.int64, "DoubleStorage": np.float64}


class _Storage:
    def __init__(self, dtype):
        self.dtype = dtype


def _rebuild(storage, offset, size, stride, *_):
    return ("tensor", storage, offset, tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild
        if module == "torch" and name in DTYPES:
            return name
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"{module}.{name}")

    def persistent_load(self, pid):
        _, type_name, key, *_ = pid
        return (type_name, key)


def load_state_dict(path):
    """The legacy torch.save format: magic, protocol, sys info, the object, storage keys, data."""
    with open(path, "rb") as f:
        for _ in range(3):
            pickle.load(f)
        state = _Unpickler(f).load()
        keys = pickle.load(f)
        data = {}
        for key in keys:
            (count,) = struct.unpack("<q", f.read(8))
            type_name = next(s[0] for s in (v[1] for v in state.values()) if s[1] == key)
            dtype = DTYPES[type_name]
            data[key] = np.frombuffer(f.read(count * np.dtype(dtype).itemsize), dtype=dtype)
    out = {}
    for name, (_, (type_name, key), offset, size, stride) in state.items():
        storage = data[key]
        itemsize = storage.itemsize
        array = np.lib.stride_tricks.as_strided(
            storage[offset:], shape=size, strides=[s * itemsize for s in stride]
        )
        out[name.removeprefix("module.")] = np.array(array, dtype=np.float64)
    return out


def conv2d(x, w, stride, padding, groups):
    c_in, h, wd = x.shape
    c_out, c_per, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((c_out, oh, ow))
    per_group_out = c_out // groups
    for g in range(groups):
        xs = x[g * c_per:(g + 1) * c_per]
        ws = w[g * per_group_out:(g + 1) * per_group_out]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, i:i + stride * oh:stride, j:j + stride * ow:stride]
                out[g * per_group_out:(g + 1) * per_group_out] += np.einsum(
                    "oc,chw->ohw", ws[:, :, i, j], patch
                )
    return out


def batch_norm(x, sd, prefix):
    shape = (-1,) + (1,) * (x.ndim - 1)
    mean = sd[f"{prefix}.running_mean"].reshape(shape)
    var = sd[f"{prefix}.running_var"].reshape(shape)
    return (x - mean) / np.sqrt(var + 1e-5) * sd[f"{prefix}.weight"].reshape(shape) + sd[
        f"{prefix}.bias"
    ].reshape(shape)


def conv_block(x, sd, prefix, stride, padding, activate=True):
    w = sd[f"{prefix}.conv.weight"]
    groups = x.shape[0] // w.shape[1]
    x = batch_norm(conv2d(x, w, stride, padding, groups), sd, f"{prefix}.bn")
    if activate:
        a = sd[f"{prefix}.prelu.weight"].reshape(-1, 1, 1)
        x = np.where(x > 0, x, a * x)
    return x


def se_module(x, sd, prefix):
    s = x.mean(axis=(1, 2)).reshape(-1, 1, 1)
    s = conv2d(s, sd[f"{prefix}.fc1.weight"], 1, 0, 1)
    s = np.maximum(batch_norm(s, sd, f"{prefix}.bn1"), 0)
    s = conv2d(s, sd[f"{prefix}.fc2.weight"], 1, 0, 1)
    s = 1 / (1 + np.exp(-batch_norm(s, sd, f"{prefix}.bn2")))
    return x * s


def depth_wise(x, sd, prefix, stride, residual):
    y = conv_block(x, sd, f"{prefix}.conv", 1, 0)
    y = conv_block(y, sd, f"{prefix}.conv_dw", stride, 1)
    y = conv_block(y, sd, f"{prefix}.project", 1, 0, activate=False)
    if not residual:
        return y
    if f"{prefix}.se_module.fc1.weight" in sd:
        y = se_module(y, sd, f"{prefix}.se_module")
    return x + y


def forward(sd, bgr):
    x = conv_block(bgr, sd, "conv1", 2, 1)
    x = conv_block(x, sd, "conv2_dw", 1, 1)
    x = depth_wise(x, sd, "conv_23", 2, False)
    for stage, down in (("conv_3", "conv_34"), ("conv_4", "conv_45"), ("conv_5", None)):
        i = 0
        while f"{stage}.model.{i}.conv.conv.weight" in sd:
            x = depth_wise(x, sd, f"{stage}.model.{i}", 1, True)
            i += 1
        if down:
            x = depth_wise(x, sd, down, 2, False)
    x = conv_block(x, sd, "conv_6_sep", 1, 0)
    x = conv_block(x, sd, "conv_6_dw", 1, 0, activate=False)
    x = x.reshape(-1)
    x = sd["linear.weight"] @ x
    x = batch_norm(x, sd, "bn")
    logits = sd["prob.weight"] @ x
    e = np.exp(logits - logits.max())
    return (e / e.sum()).tolist()


def main():
    models = {f: load_state_dict(MODELS / f) for f in FILES}
    out = {}
    for path in sys.argv[1:]:
        rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)
        bgr = rgb[:, :, ::-1].transpose(2, 0, 1)
        out[pathlib.Path(path).name] = {f: forward(sd, bgr) for f, sd in models.items()}
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
