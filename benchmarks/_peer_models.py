"""The peers' models of the networks we draw: Keras models built from our specs,
and ResNet-18/50 in plain torch.nn (torchvision's wheels do not match the torch
wheel this machine has, so the two ResNets are defined here).

Keras and torch are imported inside the functions: this module must import
without them, so the benchmark can say "skipped" instead of failing.
"""

from __future__ import annotations

from typing import Any

from nnsketch.spec import load_spec


def keras_model(spec: dict[str, Any]) -> Any:
    """A Keras 3 Sequential model of a chain spec (conv, pool, dense, ... layers).

    Padding given as numbers becomes 'same' where that is what it means, else an
    explicit ZeroPadding2D; LRN (which Keras 3 lacks) is a parameter-free layer
    named LocalResponseNorm, so the parameter count still matches ours.
    """
    import keras
    from keras import layers

    class LocalResponseNorm(keras.layers.Layer):
        def call(self, x: Any) -> Any:
            return x

    out: list[Any] = []
    for i, layer in enumerate(load_spec(spec).layers):
        kind = layer.type
        if kind == "input":
            shape = (layer.units,) if layer.units else (layer.height, layer.width, layer.channels)
            out.append(keras.Input(shape))
        elif kind == "conv":
            padding = _padding(layer.padding, layer.kernel, layer.stride, out)
            out.append(
                layers.Conv2D(
                    layer.filters,
                    layer.kernel,
                    strides=layer.stride,
                    padding=padding,
                    activation=layer.activation,
                    use_bias=layer.bias,
                )
            )
        elif kind == "pool":
            if layer.global_:
                pool = (
                    layers.GlobalAveragePooling2D
                    if layer.mode == "avg"
                    else (layers.GlobalMaxPooling2D)
                )
                out.append(pool())
                continue
            stride = layer.stride or layer.kernel
            padding = _padding(layer.padding, layer.kernel, stride, out)
            pool2d = layers.AveragePooling2D if layer.mode == "avg" else layers.MaxPooling2D
            out.append(pool2d(layer.kernel, strides=stride, padding=padding))
        elif kind == "dense":
            out.append(layers.Dense(layer.units, activation=layer.activation, use_bias=layer.bias))
        elif kind == "flatten":
            out.append(layers.Flatten())
        elif kind == "dropout":
            out.append(layers.Dropout(layer.rate))
        elif kind == "activation":
            out.append(layers.Activation(layer.function))
        elif kind == "softmax":
            out.append(layers.Softmax())
        elif kind == "norm":
            out.append(
                LocalResponseNorm(name=f"lrn{i}")
                if layer.kind == "lrn"
                else layers.BatchNormalization()
            )
        else:
            raise ValueError(f"layers[{i}]: no Keras counterpart for {kind!r} here")
    return keras.Sequential(out, name=(spec.get("title") or "model").replace(" ", "_"))


def _padding(padding: Any, kernel: tuple[int, int], stride: tuple[int, int], out: list[Any]) -> str:
    if isinstance(padding, str):
        return padding
    if padding == (0, 0):
        return "valid"
    if stride == (1, 1) and all(k - 1 == 2 * p for k, p in zip(kernel, padding, strict=True)):
        return "same"
    from keras import layers

    out.append(layers.ZeroPadding2D(padding))
    return "valid"


def keras_output_shapes(model: Any) -> None:
    """visualkeras 0.2 reads `layer.output_shape`, which Keras 3 removed: set it."""
    for layer in model.layers:
        try:
            layer.output_shape  # noqa: B018
        except AttributeError:
            object.__setattr__(layer, "output_shape", tuple(layer.output.shape))


def torch_resnet(depth: int) -> Any:
    """ResNet-18 or ResNet-50 as torchvision defines them (same parameter counts)."""
    from torch import nn

    class Basic(nn.Module):
        expansion = 1

        def __init__(self, cin: int, width: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(width)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = _down(cin, width, stride)

        def forward(self, x: Any) -> Any:
            y = self.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return self.relu(y + (self.downsample(x) if self.downsample else x))

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, cin: int, width: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(width)
            self.conv3 = nn.Conv2d(width, width * 4, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(width * 4)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = _down(cin, width * 4, stride)

        def forward(self, x: Any) -> Any:
            y = self.relu(self.bn1(self.conv1(x)))
            y = self.relu(self.bn2(self.conv2(y)))
            y = self.bn3(self.conv3(y))
            return self.relu(y + (self.downsample(x) if self.downsample else x))

    def _down(cin: int, cout: int, stride: int) -> Any:
        if stride == 1 and cin == cout:
            return None
        return nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    block, counts = {18: (Basic, (2, 2, 2, 2)), 50: (Bottleneck, (3, 4, 6, 3))}[depth]
    stages: list[Any] = []
    cin = 64
    for i, n in enumerate(counts):
        width = 64 * 2**i
        blocks = []
        for j in range(n):
            blocks.append(block(cin, width, 2 if (j == 0 and i > 0) else 1))
            cin = width * block.expansion
        stages.append(nn.Sequential(*blocks))
    return nn.Sequential(
        nn.Conv2d(3, 64, 7, 2, 3, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2, 1),
        *stages,
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(cin, 1000),
    )
