#!/usr/bin/python3
"""Writes the seed corpora that do not come from Dendrite itself (Dendrite-made ones: `Dendrite.Fuzz seeds DIR`).

Needs Debian's python3-h5py (which brings numpy); run with /usr/bin/python3. Inputs: the MNIST label files in
../shared/data/mnist and the real Keras fixtures in ../shared/fixtures/keras. The real fixtures are 0.45-2.7 MB, too
big for AFL++, so each is *shrunk*: its config keeps every key Keras wrote but the input becomes 10x10x1, every
Conv2D 2 filters and every hidden Dense 2 units, and every HDF5 object is copied with h5py (attributes with their
original HDF5 types) with its dataset resized to the new shapes. The result is still a file real Keras' layout
describes completely, of a few KB, that Dendrite loads.
"""
import gzip, io, json, os, sys, zipfile
import h5py, numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
CORPUS = os.path.join(HERE, "corpus")
FIX = os.path.join(SHARED, "fixtures", "keras")


def out(fmt, name, data):
    os.makedirs(os.path.join(CORPUS, fmt), exist_ok=True)
    with open(os.path.join(CORPUS, fmt, name), "wb") as f:
        f.write(data)


# --- IDX and NPZ: the payloads FuzzTargets.LabelPayload/ImagePayload expect (so the checksum matches) ---
labels = np.array([i % 10 for i in range(16)], dtype=np.uint8)
images = np.array([i * 7 % 251 for i in range(2 * 28 * 28)], dtype=np.uint8).reshape(2, 28, 28)
idx1 = (0x801).to_bytes(4, "big") + (16).to_bytes(4, "big") + labels.tobytes()
idx3 = (0x803).to_bytes(4, "big") + (2).to_bytes(4, "big") + (28).to_bytes(4, "big") + (28).to_bytes(4, "big") + images.tobytes()
out("idx", "labels16-idx1-ubyte", idx1)
out("idx", "labels16-idx1-ubyte.gz", gzip.compress(idx1, mtime=0))
out("idx", "images2-idx3-ubyte", idx3)
out("idx", "images2-idx3-ubyte.gz", gzip.compress(idx3, mtime=0))
with gzip.open(os.path.join(SHARED, "data", "mnist", "t10k-labels-idx1-ubyte.gz")) as f:
    t10k = f.read()
out("idx", "mnist-t10k-labels-idx1-ubyte", t10k)  # 10,008 bytes, real MNIST (fails the small spec's count)
out("idx", "mnist-t10k-labels-idx1-ubyte.gz", gzip.compress(t10k, mtime=0))


def npz(arrays, compressed):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


out("npz", "small.npz", npz({"x_train": images, "y_train": labels}, False))
out("npz", "small_compressed.npz", npz({"x_train": images, "y_train": labels}, True))
# Keras' mnist.npz layout: four arrays x_test, x_train, y_test, y_train.
out("npz", "keras_layout.npz", npz({"x_test": images[:1], "x_train": images, "y_test": labels[:4], "y_train": labels}, False))


# --- Keras' small-dataset layouts (KerasNpz): object arrays of lists of ints (pickled), int64 labels, float64 ---
def sequences(lists):
    a = np.empty(len(lists), dtype=object)
    for i, l in enumerate(lists):
        a[i] = l
    return a


reviews = sequences([[1, 14, 22, 16, 43], [1, 194, 1153], [], [1] + list(range(4, 1204)), [1, 70000]])
out("kerasnpz", "imdb_layout.npz", npz({"x_test": reviews[:2], "x_train": reviews, "y_train": np.array([1, 0, 0, 1, 1]), "y_test": np.array([0, 1])}, False))
out("kerasnpz", "imdb_layout_compressed.npz", npz({"x_train": reviews, "y_train": np.array([1, 0, 0, 1, 1])}, True))
out("kerasnpz", "reuters_layout.npz", npz({"x": reviews[:3], "y": np.array([3, 45, 19])}, False))
out("kerasnpz", "boston_layout.npz", npz({"x": np.arange(5 * 13, dtype=np.float64).reshape(5, 13) / 7, "y": np.arange(5, dtype=np.float64) + 0.5}, False))


# --- Shrinking the real Keras models ---
def shrink_config(model_config):
    """Shrinks a Sequential config in place; returns {original weight shape: new shape}."""
    layers = model_config["config"]["layers"]
    dense = [i for i, l in enumerate(layers) if l["class_name"] == "Dense"]
    shapes, old, new = {}, None, None
    for i, layer in enumerate(layers):
        c, cls = layer["config"], layer["class_name"]
        if cls == "InputLayer":
            key = "batch_shape" if "batch_shape" in c else "batch_input_shape"
            old, c[key] = list(c[key][1:]), [None, 10, 10, 1]
            new = [10, 10, 1]
            continue
        if layer.get("build_config"):
            layer["build_config"]["input_shape"] = [None] + new
        if cls == "Conv2D":
            k = c["kernel_size"][0]
            of, c["filters"] = c["filters"], 2
            shapes[(k, k, old[2], of)] = (k, k, new[2], 2)
            shapes[(of,)] = (2,)
            old = [old[0] - k + 1, old[1] - k + 1, of]
            new = [new[0] - k + 1, new[1] - k + 1, 2]
        elif cls == "MaxPooling2D":
            p = c["pool_size"][0]
            old = [old[0] // p, old[1] // p, old[2]]
            new = [new[0] // p, new[1] // p, new[2]]
        elif cls == "Flatten":
            old, new = [int(np.prod(old))], [int(np.prod(new))]
        elif cls == "Dense":
            ou = c["units"]
            nu = ou if i == dense[-1] else 2
            c["units"] = nu
            shapes[(old[0], ou)] = (new[0], nu)
            shapes[(ou,)] = (nu,)
            old, new = [ou], [nu]
    if model_config.get("build_config"):
        model_config["build_config"]["input_shape"] = [None, 10, 10, 1]
    return shapes


def copy_attrs(src, dst, replace=None):
    for name in src.attrs:
        if replace and name in replace:
            dst.attrs[name] = replace[name]
            continue
        aid = src.attrs.get_id(name)
        dst.attrs.create(name, src.attrs[name], dtype=aid.dtype)


def copy_h5(src_bytes, shapes, root_replace=None):
    """Copies an HDF5 file object by object, resizing datasets by `shapes` (values: seeded small random floats)."""
    rng = np.random.default_rng(1)
    src = h5py.File(io.BytesIO(src_bytes), "r")
    buf = io.BytesIO()
    with h5py.File(buf, "w", track_order=True) as dst:
        copy_attrs(src, dst, root_replace)

        def visit(name, obj):
            if isinstance(obj, h5py.Group):
                g = dst.require_group(name)
                copy_attrs(obj, g)
            else:
                shape = shapes.get(tuple(obj.shape), tuple(obj.shape))
                if obj.shape == ():
                    data = obj[()]
                elif obj.dtype.kind == "f":
                    data = (rng.standard_normal(shape) * 0.1).astype(obj.dtype)
                else:
                    data = np.zeros(shape, dtype=obj.dtype)
                d = dst.create_dataset(name, data=data)
                copy_attrs(obj, d)

        src.visititems(visit)
    return buf.getvalue()


def keras_zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)
    return buf.getvalue()


for stem in ["mnist_convnet_keras3.1.1", "mnist_cnn_keras3.12.0"]:
    z = zipfile.ZipFile(os.path.join(FIX, stem + ".keras"))
    config = json.loads(z.read("config.json"))
    shapes = shrink_config(config)
    weights = copy_h5(z.read("model.weights.h5"), shapes)
    config_bytes = json.dumps(config).encode()
    out("keras", f"{stem}_shrunk.keras", keras_zip([("metadata.json", z.read("metadata.json")), ("config.json", config_bytes), ("model.weights.h5", weights)]))
    out("weights", f"{stem}_shrunk.weights.h5", weights)
    with open(os.path.join(FIX, stem + "_legacy.h5"), "rb") as f:
        legacy = f.read()
    src = h5py.File(io.BytesIO(legacy), "r")
    model_config = json.loads(src.attrs["model_config"])
    shrink_config(model_config)
    out("h5", f"{stem}_legacy_shrunk.h5", copy_h5(legacy, shapes, {"model_config": json.dumps(model_config)}))

# fashion_cnn: the config alone (no weights member: Dendrite then refuses it by name), the smallest real config file.
z = zipfile.ZipFile(os.path.join(FIX, "fashion_cnn_keras3.4.1.keras"))
out("keras", "fashion_cnn_keras3.4.1_config_only.keras", keras_zip([("metadata.json", z.read("metadata.json")), ("config.json", z.read("config.json"))]))

# The weights target's model, re-written object by object with h5py (h5py's layout of Dendrite's file).
dendrite_weights = os.path.join(CORPUS, "weights", "dendrite_mlp_adam.weights.h5")
if os.path.exists(dendrite_weights):
    with open(dendrite_weights, "rb") as f:
        out("weights", "dendrite_mlp_adam_h5py.weights.h5", copy_h5(f.read(), {}))
        out("h5", "dendrite_mlp_adam_h5py.weights.h5", copy_h5(open(dendrite_weights, "rb").read(), {}))
print("seeds written to", CORPUS)
