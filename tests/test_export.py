"""PNG and PDF conversion: real files, real pixels, bounded sizes."""

from __future__ import annotations

import io

import pytest

from nnsketch import LimitError, build
from nnsketch.limits import LIMITS
from tests.checks import assert_png_not_blank, png_pixels
from tests.conftest import load


@pytest.fixture(scope="module")
def lenet():
    return build(load("lenet5"))


def test_png_scale_sets_pixel_size(lenet) -> None:
    vb = lenet.drawing.viewbox
    w1, h1, _ = png_pixels(lenet.png(scale=1))
    w2, h2, _ = png_pixels(lenet.png(scale=2))
    assert abs(w1 - vb.width) <= 1 and abs(h1 - vb.height) <= 1
    assert abs(w2 - 2 * w1) <= 2 and abs(h2 - 2 * h1) <= 2


def test_png_transparent_by_default_and_white_on_request(lenet) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(lenet.png())) as img:
        assert img.convert("RGBA").getpixel((0, 0))[3] == 0
    with Image.open(io.BytesIO(lenet.png(background="white"))) as img:
        assert img.convert("RGBA").getpixel((0, 0)) == (255, 255, 255, 255)
    assert_png_not_blank(lenet.png(background="white"))


def test_pdf_has_text_and_one_page(lenet) -> None:
    pdf = lenet.pdf()
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") >= 1
    assert b"/Font" in pdf  # labels stay text, with an embedded font


def test_png_limits(lenet) -> None:
    with pytest.raises(LimitError) as info:
        lenet.png(scale=LIMITS.max_scale + 1)
    assert "max_scale" in info.value.issues[0].msg
    with pytest.raises(LimitError):
        lenet.png(scale=0)


def test_pixel_limit_is_enforced_before_rendering() -> None:
    spec = load("vgg16")
    diagram = build(spec)
    vb = diagram.drawing.viewbox
    scale = min(LIMITS.max_scale, (LIMITS.max_png_pixels / (vb.width * vb.height)) ** 0.5 * 1.2)
    if vb.width * vb.height * scale * scale <= LIMITS.max_png_pixels:
        pytest.skip("drawing too small to exceed the pixel limit within max_scale")
    with pytest.raises(LimitError) as info:
        diagram.png(scale=scale)
    assert "max_png_pixels" in info.value.issues[0].msg


def test_save_picks_format_from_extension(lenet, tmp_path) -> None:
    for ext, magic in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")):
        out = lenet.save(tmp_path / f"d.{ext}")
        assert out.read_bytes().startswith(magic)
