"""PyTorch import: modules defined here, traced on meta tensors (no real compute), with
parameter totals compared to `sum(p.numel() for p in model.parameters())`."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is an optional extra")
nn = torch.nn
F = torch.nn.functional

import nnsketch  # noqa: E402
from nnsketch.errors import NnsketchError  # noqa: E402
from nnsketch.importers.torch_import import trace_module  # noqa: E402
from tests.import_support import assert_renders, layer_types, shapes, total_params  # noqa: E402


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Dropout(0.5), nn.Linear(120, 10)
        )

    def forward(self, x: Any) -> Any:
        return self.classifier(self.features(x))


class Residual(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x: Any) -> Any:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(x + self.bn2(self.conv2(out)))


class ResNetish(nn.Module):
    def __init__(self, block: type[nn.Module] = Residual) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.block = block(16)
        self.side = nn.Conv2d(16, 8, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(24, 5)

    def forward(self, x: Any) -> Any:
        y = self.block(self.stem(x))
        y = torch.cat([y, self.side(y)], dim=1)
        return self.fc(torch.flatten(self.pool(y), 1))


class ShapeDependent(Residual):
    """fx cannot trace a branch on a tensor's shape; forward hooks can."""

    def forward(self, x: Any) -> Any:
        out = torch.relu(self.bn1(self.conv1(x)))
        if x.shape[-1] > 4:
            out = self.bn2(self.conv2(out))
        out += x
        return torch.relu(out)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_small_cnn_layers_shapes_and_parameters() -> None:
    model = SmallCNN()
    result = trace_module(model, (1, 1, 28, 28))
    spec = result.spec
    assert result.format == "torch" and result.warnings == ()
    assert spec["title"] == "SmallCNN" and spec["style"] == "lenet"
    assert layer_types(spec) == [
        "input",
        "conv",
        "pool",
        "conv",
        "norm",
        "activation",
        "pool",
        "flatten",
        "dense",
        "dropout",
        "dense",
    ]
    names = [layer["name"] for layer in spec["layers"]]
    assert names[1] == "features.0" and names[-1] == "classifier.4"
    assert spec["layers"][1]["activation"] == "relu"
    assert list(shapes(spec).values()) == [
        [28, 28, 1],
        [28, 28, 6],
        [14, 14, 6],
        [10, 10, 16],
        [10, 10, 16],
        [10, 10, 16],
        [5, 5, 16],
        [400],
        [120],
        [120],
        [10],
    ]
    assert (
        total_params(spec)
        == n_params(model)
        == result.spec_params
        == 156 + 2416 + 32 + 48_120 + 1210
    )
    assert_renders(spec, "graph", "lenet", "alexnet")


def test_tracing_spends_no_real_compute_and_leaves_the_model_alone() -> None:
    model = SmallCNN()
    devices: list[str] = []
    model.features[0].register_forward_hook(lambda m, i, o: devices.append(o.device.type))
    before = [p.detach().clone() for p in model.parameters()]
    trace_module(model, (1, 1, 28, 28))
    assert devices == ["meta"]  # only the copy ran, on meta tensors (shapes, no arithmetic)
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def test_residual_block_and_concat_branches() -> None:
    model = ResNetish()
    result = nnsketch.from_torch(model, (1, 3, 32, 32))
    by_name = {layer["name"]: layer for layer in result["layers"]}
    assert result["style"] == "graph"
    assert by_name["add"]["type"] == "add"
    assert by_name["add"]["inputs"] == ["stem", "block.bn2"]
    assert by_name["cat"]["type"] == "concat" and by_name["cat"]["inputs"] == ["relu_1", "side"]
    assert shapes(result)["cat"] == [32, 32, 24]
    assert total_params(result) == n_params(model)
    assert_renders(result, "graph")


def test_forward_hooks_when_fx_cannot_trace() -> None:
    model = ResNetish(ShapeDependent)
    result = trace_module(model, (1, 3, 16, 16))
    assert any("forward hooks" in w for w in result.warnings)
    types = layer_types(result.spec)
    assert types.count("add") == 1 and types.count("concat") == 1
    adds = [layer for layer in result.spec["layers"] if layer["type"] == "add"]
    assert set(adds[0]["inputs"]) == {"stem", "block.bn2"}  # `out += x` is a residual add
    assert total_params(result.spec) == n_params(model)
    assert_renders(result.spec, "graph")


def test_value_dependent_control_flow_is_a_clear_error() -> None:
    class ValueDependent(nn.Module):
        def forward(self, x: Any) -> Any:
            return x * 2 if x.sum() > 0 else x

    with pytest.raises(NnsketchError, match="depend on tensor values"):
        trace_module(ValueDependent(), (1, 3, 8, 8))


@pytest.mark.parametrize("shape", [(3, 8), (1,), (1, 3, 0, 8), "big", (1, 3, 10**7, 8)])
def test_bad_input_shapes_are_refused(shape: Any) -> None:
    with pytest.raises(NnsketchError, match="input_shape"):
        trace_module(SmallCNN(), shape if shape != (3, 8) else (1, 1, 2, 2, 2))


def test_not_a_module() -> None:
    with pytest.raises(NnsketchError, match=r"torch\.nn\.Module"):
        trace_module(lambda x: x, (1, 3))
