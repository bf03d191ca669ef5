"""softmax.preprocess: canvas and photo -> MNIST-like 28×28, deskewing, safe image reading."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from pictures import encoded, photo_of_a_seven, striped_png
from PIL import Image

from softmax.drawn import drawings, render_strokes
from softmax.model import SoftmaxClassifier
from softmax.preprocess import (
    DECODE_BUDGET,
    DECODE_SIDE,
    MAX_PIXELS,
    MODES,
    STAGES,
    UPLOAD_EXTENSIONS,
    EmptyImageError,
    ImageError,
    canvas_to_mnist,
    deskew,
    has_ink,
    image_to_mnist,
    ink_level,
    looks_drawn,
    read_image,
    steps,
)

ROOT = Path(__file__).resolve().parents[1]

ROWS = np.arange(28)


def one(centre=(140, 140), height=200, slant=0.0, width=18) -> np.ndarray:
    """A canvas (280, 280, 4) with a "1": a flag and a stem leaning right by `slant` (dx/dy)."""
    x, y = centre
    top = (x + slant * height / 2, y - height / 2)
    bottom = (x - slant * height / 2, y + height / 2)
    flag = (top[0] - 0.25 * height, top[1] + 0.2 * height)
    return render_strokes([[flag, top, bottom]], width)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    mass = image.sum()
    return float(image.sum(axis=1) @ ROWS / mass), float(image.sum(axis=0) @ ROWS / mass)


def row_col_covariance(image: np.ndarray) -> float:
    row, col = centre_of_mass(image)
    r, c = np.meshgrid(ROWS - row, ROWS - col, indexing="ij")
    return float((r * c * image).sum() / image.sum())


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def test_a_canvas_becomes_a_28x28_float32_image_in_0_1_with_white_ink():
    image = canvas_to_mnist(one())
    assert image.shape == (28, 28)
    assert image.dtype == np.float32
    assert image.min() == 0.0
    assert image.max() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "drawing",
    [one(), one((60, 70), 100), one((210, 200), 60), one(height=250, slant=0.3)],
    ids=["centred", "top-left", "small-bottom-right", "big-slanted"],
)
def test_the_centre_of_mass_lands_on_14_14_within_half_a_pixel(drawing):
    row, col = centre_of_mass(canvas_to_mnist(drawing))
    assert abs(row - 14) <= 0.5
    assert abs(col - 14) <= 0.5


def test_the_ink_fits_a_20x20_box_with_its_longer_side_20_pixels():
    image = canvas_to_mnist(one((90, 120), 150))
    rows = np.flatnonzero(image.any(axis=1))
    cols = np.flatnonzero(image.any(axis=0))
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    assert height == 20
    assert width <= 20


@pytest.mark.parametrize("centre", [(70, 80), (200, 190), (120, 160)], ids=str)
def test_the_same_one_drawn_anywhere_gives_the_same_image(centre):
    reference = canvas_to_mnist(one(height=120))
    assert correlation(canvas_to_mnist(one(centre, height=120)), reference) > 0.98


@pytest.mark.parametrize("height", [80, 140, 250], ids=str)
def test_the_same_one_drawn_smaller_or_bigger_gives_nearly_the_same_image(height):
    """Same shape, pen width in proportion: only the drawing's scale differs."""
    reference = canvas_to_mnist(one(height=200, width=18))
    resized = canvas_to_mnist(one((150, 130), height, width=18 * height / 200))
    assert correlation(resized, reference) > 0.95


def test_an_empty_canvas_is_reported_not_predicted():
    blank = render_strokes([], 18)
    with pytest.raises(EmptyImageError, match="no ink"):
        canvas_to_mnist(blank)


def test_ink_fainter_than_the_threshold_counts_as_empty():
    faint = np.zeros((280, 280), dtype=np.uint8)
    faint[100:150, 130:150] = 12  # 5% of white: sensor noise, not a stroke
    with pytest.raises(EmptyImageError):
        canvas_to_mnist(faint)


def test_has_ink_tells_a_blank_canvas_from_a_drawing():
    assert not has_ink(render_strokes([], 18))
    assert has_ink(one())


@pytest.mark.parametrize(
    ("image", "named"),
    [
        (np.zeros((280, 280, 5), np.uint8), r"\(280, 280, 5\)"),
        (np.zeros((280,), np.uint8), r"\(280,\)"),
        (np.zeros((2, 28, 28, 4), np.uint8), r"\(2, 28, 28, 4\)"),
        (np.zeros((0, 28), np.uint8), r"\(0, 28\)"),
        (np.zeros((28, 28), np.int64), "int64"),
        (np.full((28, 28), np.nan, np.float32), "NaN"),
        (np.full((28, 28), 255.0), r"\[0, 1\]"),
        ([[0, 255]], "list"),
    ],
    ids=["5-channels", "1-d", "batch", "no-rows", "int64", "nan", "float-0-255", "list"],
)
def test_odd_input_is_refused_naming_what_is_wrong(image, named):
    with pytest.raises(ImageError, match=named):
        canvas_to_mnist(image)


def test_an_unknown_mode_is_refused_naming_the_allowed_ones():
    with pytest.raises(ValueError, match=r"mnist, naive; got 'centred'"):
        canvas_to_mnist(one(), mode="centred")
    assert MODES == ("mnist", "naive")


def test_a_grayscale_canvas_of_any_size_gives_what_its_rgba_twin_gives():
    drawing = one((100, 160), 180)
    assert np.array_equal(canvas_to_mnist(drawing[..., 0]), canvas_to_mnist(drawing))


def test_transparent_canvas_pixels_are_background():
    drawing = one().copy()
    drawing[..., 3] = 0  # fully transparent white strokes: nothing visible
    assert not has_ink(drawing)


def test_naive_mode_is_a_plain_resize_of_the_whole_canvas():
    drawing = one((70, 80), 110)
    plain = Image.fromarray(drawing[..., 0]).resize((28, 28), Image.Resampling.BOX)
    expected = np.asarray(plain, dtype=np.float32) / 255
    np.testing.assert_allclose(canvas_to_mnist(drawing, mode="naive"), expected, atol=1 / 255)


def test_naive_and_mnist_modes_differ_for_an_off_centre_drawing():
    drawing = one((70, 80), 110)
    naive, mnist = canvas_to_mnist(drawing, mode="naive"), canvas_to_mnist(drawing)
    assert correlation(naive, mnist) < 0.5
    assert centre_of_mass(naive)[0] < 10  # it stays where it was drawn: top left


def test_deskew_stands_a_slanted_one_upright():
    slanted = canvas_to_mnist(one(slant=0.4), deskew=False)
    assert abs(row_col_covariance(slanted)) > 3
    assert abs(row_col_covariance(deskew(slanted))) < 0.3


def test_deskew_leaves_an_upright_centred_stick_unchanged():
    stick = np.zeros((28, 28), dtype=np.float32)
    stick[4:25, 13:16] = [0.5, 1.0, 0.5]  # centre of mass exactly (14, 14), no slant
    np.testing.assert_allclose(deskew(stick), stick, atol=1e-6)


def test_deskew_keeps_an_upright_drawing_upright():
    upright = canvas_to_mnist(render_strokes([[(140, 40), (140, 240)]], 18))
    assert abs(row_col_covariance(deskew(upright))) < 0.05


def test_canvas_to_mnist_with_deskew_equals_deskewing_its_result():
    drawing = one(slant=0.3)
    np.testing.assert_allclose(
        canvas_to_mnist(drawing, deskew=True), deskew(canvas_to_mnist(drawing)), atol=1e-6
    )


def test_deskewing_a_batch_equals_deskewing_each_image():
    images = np.stack([canvas_to_mnist(one(slant=s)) for s in (-0.3, 0.0, 0.2, 0.45)])
    batch = deskew(images)
    for image, straightened in zip(images, batch, strict=True):
        np.testing.assert_allclose(deskew(image), straightened, atol=1e-5)


def test_deskew_matches_the_classic_affine_recipe():
    ndimage = pytest.importorskip("scipy.ndimage")
    image = canvas_to_mnist(one(slant=0.35))
    row, col = centre_of_mass(image)
    r = ROWS - row
    alpha = row_col_covariance(image) / float((r[:, None] ** 2 * image).sum() / image.sum())
    shear = np.array([[1.0, 0.0], [alpha, 1.0]])
    offset = np.array([row, col]) - shear @ [14.0, 14.0]
    classic = ndimage.affine_transform(image, shear, offset=offset, order=1, mode="grid-constant")
    np.testing.assert_allclose(deskew(image), classic, atol=1e-4)


def test_deskew_passes_a_blank_image_through_and_refuses_other_sizes():
    assert not deskew(np.zeros((28, 28), np.float32)).any()
    with pytest.raises(ImageError, match=r"\(8, 8\)"):
        deskew(np.zeros((8, 8)))


# --- every step, one at a time -------------------------------------------------------------------

DRAWINGS = {
    "centred": one(),
    "small-top-left": one((60, 70), 80),
    "slanted": one(height=250, slant=0.3),
    "thin-bottom-right": one((200, 190), 120, width=6),
}


def ink_rows_and_cols(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))


@pytest.mark.parametrize("name", DRAWINGS)
@pytest.mark.parametrize("deskewed", [False, True], ids=["plain", "deskew"])
def test_with_every_step_on_the_stages_end_in_exactly_the_canvas_pipeline(name, deskewed):
    stages = steps(DRAWINGS[name], deskew=deskewed)
    np.testing.assert_allclose(
        stages[-1].image, canvas_to_mnist(DRAWINGS[name], deskew=deskewed), atol=1e-6
    )


@pytest.mark.parametrize("name", DRAWINGS)
@pytest.mark.parametrize("deskewed", [False, True], ids=["plain", "deskew"])
def test_with_crop_fit_and_centre_off_the_stages_end_in_naive_mode(name, deskewed):
    stages = steps(DRAWINGS[name], crop=False, fit=False, centre=False, deskew=deskewed)
    expected = canvas_to_mnist(DRAWINGS[name], mode="naive", deskew=deskewed)
    np.testing.assert_allclose(stages[-1].image, expected, atol=1e-6)


def test_the_stages_come_named_in_order_and_say_which_are_on():
    stages = steps(one(), crop=True, fit=False, centre=True, deskew=False)
    assert [stage.name for stage in stages] == list(STAGES)
    assert [stage.on for stage in stages] == [True, True, False, True, True, False]
    assert all(stage.image.dtype == np.float32 for stage in stages)


def test_the_ink_stage_is_the_canvas_as_ink_and_crop_is_its_bounding_box():
    drawing = one((60, 70), 80)
    ink, crop = steps(drawing)[:2]
    np.testing.assert_allclose(ink.image, drawing[..., 0] / 255, atol=1e-6)
    rows, cols = ink_rows_and_cols(ink.image > 0.05)
    assert crop.image.shape == (rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    assert steps(drawing, crop=False)[1].image.shape == (280, 280)  # off: the whole canvas


def test_fit_scales_the_longer_side_to_20_and_off_keeps_the_drawn_size():
    drawing = one((60, 70), 80, width=6)  # 86 px tall with the pen on the 280 canvas: 9 at 28
    stages = steps(drawing)
    fitted = stages[2].image
    assert max(fitted.shape) == 20
    assert fitted.max() == pytest.approx(1.0)
    drawn_size = steps(drawing, fit=False)[2].image
    assert drawn_size.shape == tuple(round(side / 10) for side in stages[1].image.shape)
    assert drawn_size.max() < 0.8  # brightness unchanged: a 6 px pen shrinks to a grey 0.6 px


def test_pad_centres_the_box_and_centre_moves_the_centre_of_mass_to_14_14():
    drawing = one(height=250, slant=0.3)
    padded, centred = (stage.image for stage in steps(drawing)[3:5])
    rows, cols = ink_rows_and_cols(padded)
    assert abs((rows[0] + rows[-1]) / 2 - 13.5) <= 0.5
    assert abs((cols[0] + cols[-1]) / 2 - 13.5) <= 0.5
    row, col = centre_of_mass(centred)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5


def test_centring_alone_moves_a_naive_off_centre_digit_towards_the_middle():
    drawing = one((60, 70), 80)
    naive = steps(drawing, crop=False, fit=False, centre=False)[-1].image
    centred = steps(drawing, crop=False, fit=False, centre=True)[-1].image
    assert centre_of_mass(naive)[0] < 9
    row, col = centre_of_mass(centred)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    assert centred.sum() == pytest.approx(naive.sum())  # moved, not cut


def test_a_switched_off_step_passes_its_input_on():
    stages = steps(one(slant=0.3), centre=False, deskew=False)
    np.testing.assert_array_equal(stages[4].image, stages[3].image)
    np.testing.assert_array_equal(stages[5].image, stages[4].image)


def test_steps_of_a_blank_canvas_report_nothing_drawn():
    with pytest.raises(EmptyImageError):
        steps(render_strokes([], 18))


def test_a_thin_pen_loses_most_of_its_ink_at_28x28_and_a_thick_one_does_not():
    """The same 50 drawings of every digit, drawn with a 4 px and a 20 px pen."""
    from softmax.drawn import drawings

    def level(width: float) -> float:
        images = [render_strokes(d.strokes, width) for d in drawings(50, seed=4, split="test")]
        return float(np.median([ink_level(canvas_to_mnist(image)) for image in images]))

    thin, thick = level(4), level(20)
    assert thin < 0.5  # less than half a typical MNIST digit's ink reaches the model
    assert 0.8 < thick < 1.25  # about MNIST's own
    assert thin < 0.5 * thick


def test_the_ink_level_of_real_mnist_digits_is_about_1(mnist):
    (x_train, _), _ = mnist
    levels = [ink_level(x / np.float32(255)) for x in x_train[:2000]]
    assert np.median(levels) == pytest.approx(1.0, abs=0.05)


def test_ink_level_takes_one_28x28_input():
    with pytest.raises(ImageError, match=r"\(2, 28, 28\)"):
        ink_level(np.zeros((2, 28, 28)))


# --- photos and uploads --------------------------------------------------------------------------


def paper_photo(drawing: np.ndarray, size=(613, 457), seed=0) -> Image.Image:
    """A phone photo of the drawing on paper: dark ink, light grey uneven background, noise."""
    rng = np.random.default_rng(seed)
    width, height = size
    page = Image.new("L", size)
    page.paste(Image.fromarray(drawing[..., 0]).resize((420, 420)), (120, 20))  # 1.5× the canvas
    ink = np.asarray(page, dtype=np.float64) / 255
    light = (
        0.62 + 0.2 * np.linspace(0, 1, width)[None, :] + 0.08 * np.linspace(0, 1, height)[:, None]
    )
    gray = light * (1 - 0.8 * ink) + rng.normal(0, 0.03, (height, width))
    tint = np.array([1.0, 0.97, 0.9])  # warm indoor light
    rgb = np.clip(gray[..., None] * tint * 255, 0, 255).astype(np.uint8)
    return Image.fromarray(rgb)


def test_a_dark_on_light_photo_reads_like_the_canvas_drawing():
    drawing = one((150, 130), 190)
    from_photo = image_to_mnist(paper_photo(drawing))
    assert correlation(from_photo, canvas_to_mnist(drawing)) > 0.9


def test_a_photo_of_a_thin_pen_stroke_gets_an_mnist_like_stroke():
    drawing = one((150, 130), 190, width=4)
    from_photo = image_to_mnist(paper_photo(drawing))
    assert (from_photo > 0.5).sum() > 25  # a 1 px line would light ~20 pixels


def test_black_strokes_on_a_transparent_background_are_ink():
    drawing = one()
    rgba = np.zeros((280, 280, 4), dtype=np.uint8)
    rgba[..., 3] = drawing[..., 0]  # black ink where drawn, transparent elsewhere
    image = image_to_mnist(Image.fromarray(rgba))
    assert correlation(image, canvas_to_mnist(drawing)) > 0.95


@pytest.mark.parametrize(
    ("mode", "least"),
    [
        ("L", 0.95),
        ("RGB", 0.95),
        ("RGBA", 0.95),
        ("LA", 0.95),
        ("P", 0.95),
        ("I;16", 0.95),
        ("1", 0.85),
    ],
)
def test_image_to_mnist_accepts_any_pil_mode(mode, least):
    """Black on white in every mode; bilevel ("1") dithers the edges, hence its lower bar."""
    photo = Image.fromarray(255 - one()[..., 0])
    image = image_to_mnist(photo.convert(mode))
    assert correlation(image, canvas_to_mnist(one())) > least


def test_a_photo_of_blank_paper_is_empty():
    blank = paper_photo(render_strokes([], 18))
    with pytest.raises(EmptyImageError):
        image_to_mnist(blank)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_read_image_decodes_png_bytes_and_files(tmp_path):
    data = png_bytes(paper_photo(one()))
    path = tmp_path / "digit.png"
    path.write_bytes(data)
    for source in (data, path, str(path), io.BytesIO(data)):
        assert read_image(source).size == (613, 457)


def test_bytes_that_are_not_an_image_are_refused():
    with pytest.raises(ImageError, match="not an image"):
        read_image(b"%PDF-1.7 definitely not a picture")


def test_a_truncated_image_is_refused():
    with pytest.raises(ImageError, match="not an image"):
        read_image(png_bytes(paper_photo(one()))[:2000])


def test_a_file_over_the_byte_limit_is_refused(tmp_path):
    data = png_bytes(paper_photo(one()))
    path = tmp_path / "big.png"
    path.write_bytes(data)
    for source in (data, path):
        with pytest.raises(ImageError, match="limit"):
            read_image(source, max_bytes=len(data) - 1)


def test_an_image_over_the_pixel_limit_is_refused_before_decoding():
    data = png_bytes(Image.new("L", (400, 300)))
    with pytest.raises(ImageError, match=r"400×300"):
        read_image(data, max_pixels=100_000)


def test_a_decompression_bomb_is_refused():
    """A valid tiny PNG whose header claims 50,000 × 50,000 pixels (2.5 gigapixels)."""
    data = bytearray(png_bytes(Image.new("L", (1, 1))))
    header = b"IHDR" + struct.pack(">II", 50_000, 50_000) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    with pytest.raises(ImageError, match=r"too large|limit"):
        read_image(bytes(data), max_pixels=10**10)


def test_a_missing_file_is_an_image_error(tmp_path):
    with pytest.raises(ImageError, match="no image file"):
        read_image(tmp_path / "nothing.png")


@pytest.mark.parametrize(("fmt", "options"), [("TIFF", {}), ("EPS", {}), ("PPM", {}), ("ICO", {})])
def test_formats_nobody_uploads_are_not_decoded(fmt, options):
    data = encoded(np.zeros((32, 32, 3), np.uint8), fmt, **options)
    with pytest.raises(ImageError, match=r"not an image: .* not a picture in PNG, JPEG, WEBP"):
        read_image(data)


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [("PNG", "RGBA"), ("JPEG", "RGB"), ("WEBP", "RGB"), ("GIF", "P"), ("BMP", "RGB")],
)
def test_the_formats_people_upload_are_read(fmt, mode):
    drawing = one()[..., :3] if mode != "RGBA" else one()
    image = Image.fromarray(drawing).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    x = image_to_mnist(read_image(buffer.getvalue()))
    assert correlation(x, canvas_to_mnist(one())) > 0.95


def test_the_upload_extensions_are_the_decoded_formats_files():
    assert set(UPLOAD_EXTENSIONS) == {"png", "jpg", "jpeg", "webp", "gif", "bmp"}


def test_an_animated_gif_is_read_from_its_first_frame():
    frames = [Image.fromarray(one()[..., 0]), Image.fromarray(np.zeros((280, 280), np.uint8))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    assert correlation(image_to_mnist(read_image(buffer.getvalue())), canvas_to_mnist(one())) > 0.95


def test_a_big_jpeg_is_decoded_at_reduced_size():
    photo = np.full((3000, 4000, 3), 230, np.uint8)
    photo[600:2400, 1900:2100] = 20  # a dark stroke: a 1
    image = read_image(encoded(photo, "JPEG", quality=90))
    assert image.size == (1000, 750)  # decoded at JPEG's own 1/2 scale, then halved
    assert correlation(image_to_mnist(image), image_to_mnist(photo)) > 0.99


def test_a_big_png_is_shrunk_right_after_decoding():
    image = read_image(striped_png(3000, 2000, bit_depth=8))
    assert max(image.size) <= DECODE_SIDE


def test_a_picture_too_costly_to_decode_is_refused_from_its_header():
    """30 MP of RGB (120 MB as Pillow holds it) in a 100 KB file: refused, never decoded."""
    data = striped_png(6000, 5000, bit_depth=8, colour_type=2)
    assert len(data) < 200_000
    with pytest.raises(ImageError, match=r"6000×5000 RGB: decoding it would take 114 MB"):
        read_image(data)


DECODE_PEAK = """
import sys, time
from softmax.preprocess import image_to_mnist, read_image

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024

data = open(sys.argv[1], "rb").read()
before, start = peak_mb(), time.perf_counter()
x = image_to_mnist(read_image(data))
print(peak_mb() - before, time.perf_counter() - start, float(x.max()))
"""


def test_a_16_bit_png_just_under_the_pixel_cap_decodes_within_the_memory_budget(tmp_path):
    """The probe: 6,320² = 39.9 MP of 16-bit grey in a 90 KB file once cost 536 MB and 4.5 s.

    Peak resident memory is measured in a fresh process (/proc's VmHWM: Pillow's pixel buffers
    are C allocations that tracemalloc does not see)."""
    side = 6320
    assert side * side <= MAX_PIXELS
    path = tmp_path / "sixteen.png"
    path.write_bytes(striped_png(side, side, bit_depth=16))
    run = subprocess.run(
        [sys.executable, "-c", DECODE_PEAK, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    peak, _seconds, brightest = map(float, run.stdout.split())
    assert brightest == pytest.approx(1.0)  # the bar was read
    assert peak <= DECODE_BUDGET / 2**20, f"decoding took {peak:.0f} MB"


def test_exif_orientation_is_applied():
    tall = Image.new("L", (30, 60))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buffer = io.BytesIO()
    tall.save(buffer, format="JPEG", exif=exif)
    assert read_image(buffer.getvalue()).size == (60, 30)


# --- one reading of a drawing ---------------------------------------------------------------------

HELD_OUT = list(drawings(12, split="test"))  # drawings no model was trained on, digits 0–9


@pytest.fixture(scope="module")
def default_model() -> SoftmaxClassifier:
    return SoftmaxClassifier.load()


@pytest.mark.parametrize("drawing", HELD_OUT, ids=repr)
def test_a_drawing_reads_the_same_as_canvas_png_and_inverted_png(drawing, default_model):
    """The canvas array, the PNG a browser would save of it, and its black-on-white inverse."""
    canvas = drawing.canvas()  # (280, 280, 4) white on black, alpha 255
    deskew_it = default_model.deskew
    expected = canvas_to_mnist(canvas, deskew=deskew_it)
    forms = {
        "canvas array": canvas,
        "canvas PNG": read_image(encoded(canvas)),
        "inverted PNG": read_image(encoded(255 - canvas[..., 0])),
        "inverted RGBA PNG": read_image(
            encoded(np.dstack([255 - canvas[..., :3], canvas[..., 3:]]))
        ),
    }
    for name, form in forms.items():
        assert looks_drawn(form), name
        x = image_to_mnist(form, deskew=deskew_it)
        np.testing.assert_allclose(x, expected, atol=1e-6, rtol=0, err_msg=name)
        assert default_model.predict(x).digit == default_model.predict(expected).digit, name


def test_a_jpeg_of_a_drawing_is_still_read_as_a_drawing():
    canvas = HELD_OUT[7].canvas()
    jpeg = read_image(encoded(canvas[..., :3], "JPEG", quality=85))
    assert looks_drawn(jpeg)
    assert correlation(image_to_mnist(jpeg), canvas_to_mnist(canvas)) > 0.97


def test_a_phone_photo_is_not_taken_for_a_drawing_and_is_cleaned(tmp_path, default_model):
    photo = read_image(photo_of_a_seven(tmp_path / "seven.png"))
    assert not looks_drawn(photo)
    x = image_to_mnist(photo, deskew=default_model.deskew)
    assert (x == 0).mean() > 0.7  # the unevenly lit paper is gone, as in MNIST
    assert default_model.predict(x).digit == 7


def test_a_drawing_larger_than_the_decode_side_reads_like_its_canvas():
    canvas = HELD_OUT[3].canvas()
    big = np.kron(canvas[..., 0], np.ones((5, 5), np.uint8))  # 1400×1400, five times the canvas
    assert looks_drawn(Image.fromarray(big))
    assert correlation(image_to_mnist(big), canvas_to_mnist(canvas)) > 0.98


# --- on real MNIST -------------------------------------------------------------------------------


@pytest.mark.slow
def test_mnist_digits_drawn_on_a_canvas_keep_a_fixed_models_accuracy(mnist):
    """Upscale test digits to 280×280 and back through the pipeline: the recipe is MNIST's own.

    The fixed model is nearest class mean (centroids of the training digits): no training loop.
    """
    (x_train, y_train), (x_test, y_test) = mnist
    means = np.stack([x_train[y_train == k].mean(axis=0) for k in range(10)]) / 255  # (10, 28, 28)

    def accuracy(images: np.ndarray) -> float:
        distances = ((images[:, None] - means[None]) ** 2).sum(axis=(2, 3))  # (n, 10)
        return float((distances.argmin(axis=1) == y_test[: len(images)]).mean())

    originals = x_test[:1000] / np.float32(255)
    canvases = [
        np.asarray(Image.fromarray(x).resize((280, 280), Image.Resampling.BILINEAR))
        for x in x_test[:1000]
    ]
    redrawn = np.stack([canvas_to_mnist(c) for c in canvases])
    assert abs(accuracy(redrawn) - accuracy(originals)) < 0.03
