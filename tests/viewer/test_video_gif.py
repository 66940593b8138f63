"""GIF size and labels: frames store only what changed and decode to the given colours; the
tick and the legend are drawn above the world without touching it."""

import importlib.util

import numpy as np
import pytest

from alife import Simulation
from alife.render.text import GLYPHS, text_mask, text_width
from alife.render.video import SimVideo, VideoRecorder, upscale

pytestmark = pytest.mark.skipif(importlib.util.find_spec("PIL") is None, reason="needs pillow")
TINY = {"world": {"width": 24, "height": 20}, "agents": {"initial_count": 60},
        "run": {"threads": 0}}


def decode(path) -> np.ndarray:
    """Every frame of a GIF as a viewer shows it: uint8 (n, H, W, 3)."""
    from PIL import Image, ImageSequence

    with Image.open(path) as im:
        return np.stack([np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)])


def drifting_frames(n: int, rng) -> list[np.ndarray]:
    """A 'world' of 150 shades with a few moving bright cells, one frame with ~1000 colours."""
    base = rng.integers(0, 150, (20, 30), dtype=np.uint8)
    frames = []
    for i in range(n):
        rgb = np.stack([base, base // 2 + 20, 255 - base], axis=-1)
        rgb[rng.integers(0, 20, 5), rng.integers(0, 30, 5)] = (250, 250, 40 + i)
        if i == 3:  # too many colours for a palette: the whole frame, quantised
            rgb = rng.integers(0, 256, rgb.shape, dtype=np.uint8)
        frames.append(rgb)
        base = base.copy()
        base[rng.integers(0, 20, 30), rng.integers(0, 30, 30)] = rng.integers(0, 150, 30,
                                                                              dtype=np.uint8)
    return frames


def test_gif_frames_decode_to_the_given_colours(tmp_path):
    rng = np.random.default_rng(1)
    frames = drifting_frames(8, rng)
    band = np.zeros((3, 60, 3), np.uint8)
    with VideoRecorder(tmp_path / "d.gif", scale=2) as rec:
        for i, rgb in enumerate(frames):
            band[:, :, 0] = i * 20  # the band changes too, and is stored exactly
            rec.add(rgb, band)
    got = decode(tmp_path / "d.gif")
    assert got.shape == (8, 3 + 40, 60, 3)
    for i, (shown, rgb) in enumerate(zip(got, frames)):
        np.testing.assert_array_equal(shown[:3, :, 0], i * 20)
        want = upscale(rgb, 2)
        if i == 3:  # quantised: close, and the frames after it are exact again
            assert np.abs(shown[3:].astype(int) - want).mean() < 20
        else:
            np.testing.assert_array_equal(shown[3:], want)


def test_gif_tolerance_bounds_the_colour_error(tmp_path):
    rng = np.random.default_rng(2)
    frames = [f for i, f in enumerate(drifting_frames(6, rng)) if i != 3]
    drift = [np.clip(f.astype(int) + k, 0, 255).astype(np.uint8)
             for k, f in enumerate([frames[0]] * 4)]
    frames = frames + drift  # the same picture creeping by 1 a frame: stored only every third
    for tolerance in (0, 2):
        with VideoRecorder(tmp_path / f"t{tolerance}.gif", scale=1, tolerance=tolerance) as rec:
            for rgb in frames:
                rec.add(rgb)
        got = decode(tmp_path / f"t{tolerance}.gif").astype(int)
        error = max(np.abs(g - f.astype(int)).max() for g, f in zip(got, frames))
        assert error == 0 if tolerance == 0 else 0 < error <= tolerance
    assert (tmp_path / "t2.gif").stat().st_size < (tmp_path / "t0.gif").stat().st_size
    with pytest.raises(ValueError, match="tolerance"):
        VideoRecorder(tmp_path / "x.gif", tolerance=-1)


def test_gif_of_a_mostly_static_scene_costs_little_per_frame(tmp_path):
    """64x64 cells of 200 shades, x4; then 100 frames in which 3 agents move: each such frame
    must cost a small part of the first (28 kB). Stored whole, as before, each cost 9 kB; now
    about 340 bytes (pillow 13)."""
    rng = np.random.default_rng(3)
    ground = rng.integers(0, 200, (64, 64), dtype=np.uint8)
    world = np.stack([ground // 4, ground, ground // 3], axis=-1)
    path = tmp_path / "static.gif"
    with VideoRecorder(path, scale=4) as rec:
        rec.add(world)
        for i in range(100):
            rgb = world.copy()
            rgb[(i + np.arange(3) * 20) % 64, (2 * i + np.arange(3) * 7) % 64] = (250, 230, 60)
            rec.add(rgb)
    with VideoRecorder(tmp_path / "one.gif", scale=4) as rec1:
        rec1.add(world)
    one = (tmp_path / "one.gif").stat().st_size
    per_frame = (path.stat().st_size - one) / 100
    assert one > 10_000
    assert per_frame < 1000, f"{per_frame:.0f} bytes a frame"
    got = decode(path)
    np.testing.assert_array_equal(got[-1], upscale(rgb, 4))


def test_text_digits_and_unknown_characters():
    assert text_width("TICK 12", 2) == (4 * 7 - 1) * 2
    assert text_mask("12", 3).shape == (15, 21)
    digits = [text_mask(str(d)) for d in range(10)]
    assert len({m.tobytes() for m in digits}) == 10  # every digit its own glyph
    np.testing.assert_array_equal(text_mask("a"), text_mask("A"))
    np.testing.assert_array_equal(text_mask("~"), GLYPHS["?"])


def test_sim_video_labels_show_the_tick_and_leave_the_world_alone(tmp_path):
    paths = {labels: tmp_path / f"labels-{labels}.gif" for labels in (True, False)}
    for labels, path in paths.items():
        sim = Simulation(TINY, seed=4)
        with SimVideo(path, sim.config, stride=5, labels=labels, tolerance=0) as video:
            video.observe(sim)
            while sim.tick < 15:
                sim.step(video.ticks_until_due(sim.tick))
                video.observe(sim)
    plain, labelled = decode(paths[False]), decode(paths[True])
    band = labelled.shape[1] - plain.shape[1]
    assert plain.shape == (4, 20 * 10, 24 * 10, 3)  # a GIF: 256 // 24 = 10 per cell
    assert band == 7  # the 3x5 font once, a pixel of margin above and below
    np.testing.assert_array_equal(labelled[:, band:], plain)  # the world, pixel for pixel
    tick_area = labelled[:, :band, : text_width("TICK 00", 1) + 1]
    assert len({frame.tobytes() for frame in tick_area}) == 4  # ticks 0, 5, 10, 15 all differ
    legend_area = labelled[:, :band, text_width("TICK 000000 ", 1):]
    assert all((frame == legend_area[0]).all() for frame in legend_area)  # the legend stays
    assert (legend_area[0] != legend_area[0, 0, 0]).any()  # and has ink


def test_label_band_text():
    sim = Simulation(TINY, seed=4)
    video = SimVideo("unused.gif", sim.config, mode="age", scale=25)  # 600 pixels wide
    a, b = (video.label_band(t, 20, 24, sim.state.agents) for t in (1234, 1235))
    assert a.shape == (7 * 3, 600, 3)  # the tick 3x enlarged on a wide frame
    differs = np.flatnonzero((a != b).any(axis=(0, 2)))
    assert differs.min() >= text_width("TICK 123", 3)  # only the last digit's columns change
    assert differs.max() < text_width("TICK 1235", 3) + 3
    assert video.legend(sim.state.agents).startswith("age:")
    assert not video.recorder.path.exists()


def test_a_video_never_overwrites_an_earlier_file(tmp_path, capsys):
    from alife.cli import main

    earlier = tmp_path / "earlier.gif"
    earlier.write_bytes(b"GIF89a keep me")
    args = ["run", "--set", "world.width=16", "--set", "world.height=16", "--set",
            "agents.initial_count=10", "--steps", "5", "--no-progress", "--video", str(earlier)]
    assert main([*args, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "--video" in err and "already exists" in err
    assert earlier.read_bytes() == b"GIF89a keep me"
    assert not (tmp_path / "run").exists()  # refused before anything was written


def test_the_viewer_never_records_over_an_earlier_file(tmp_path, capsys):
    from alife.cli import main

    earlier = tmp_path / "earlier.gif"
    earlier.write_bytes(b"GIF89a keep me")
    assert main(["view", "--record", str(earlier)]) == 2
    assert "--record" in capsys.readouterr().err
    assert earlier.read_bytes() == b"GIF89a keep me"
