"""Video files from the shared renderer: GIF / MP4 round trips, stride, missing-library message."""

import importlib.util

import numpy as np
import pytest

from alife import Simulation
from alife.render import video as video_mod
from alife.render.frame import render_frame
from alife.render.video import (
    SimVideo,
    VideoRecorder,
    VideoUnavailable,
    check_video_support,
    upscale,
)

TINY = {"world": {"width": 24, "height": 20}, "agents": {"initial_count": 60},
        "run": {"threads": 0}}
HAS_IMAGEIO = importlib.util.find_spec("imageio") is not None
HAS_FFMPEG = HAS_IMAGEIO and importlib.util.find_spec("imageio_ffmpeg") is not None


def test_upscale_blocks_and_even_padding():
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    big = upscale(rgb, 3)
    assert big.shape == (6, 9, 3)
    np.testing.assert_array_equal(big[::3, ::3], rgb)
    np.testing.assert_array_equal(big[2, 8], rgb[0, 2])
    odd = upscale(np.zeros((3, 5, 3), np.uint8), 1, even=True)
    assert odd.shape == (4, 6, 3)


def test_missing_libraries_say_what_to_install(monkeypatch):
    monkeypatch.setattr(video_mod.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(VideoUnavailable,
                       match=r'pip install "alife-sim\[video\]" \(or write a .gif'):
        check_video_support("out.mp4")
    with pytest.raises(VideoUnavailable, match=r'pip install "alife-sim\[video\]"'):
        check_video_support("out.gif")
    with pytest.raises(VideoUnavailable, match="extension"):
        check_video_support("out")
    monkeypatch.undo()
    with pytest.raises(VideoUnavailable, match=r"\.mp4 or \.gif"):
        check_video_support("out.xyz")


def test_video_args_for_alife_run():
    import argparse

    from alife.render.video import add_video_args

    parser = argparse.ArgumentParser()
    add_video_args(parser)
    args = parser.parse_args(["--video", "a.mp4", "--video-stride", "4"])
    assert (args.video, args.video_stride) == ("a.mp4", 4)
    assert parser.parse_args([]).video is None
    with pytest.raises(SystemExit):
        parser.parse_args(["--video-stride", "0"])


@pytest.mark.skipif(not HAS_IMAGEIO, reason="needs imageio (alife-sim[video])")
def test_gif_round_trip_keeps_the_frames(tmp_path):
    import imageio.v3 as iio

    sim = Simulation(TINY, seed=4)
    expected = []
    with VideoRecorder(tmp_path / "a.gif", fps=10, scale=2) as rec:
        for _ in range(3):
            frame = render_frame(sim.state, sim.config)
            expected.append(upscale(frame, 2))
            rec.add(frame)
            sim.step(2)
    frames = iio.imread(tmp_path / "a.gif", index=None)[..., :3]
    assert frames.shape == (3, 40, 48, 3)
    for got, want in zip(frames, expected):
        assert len(np.unique(want.reshape(-1, 3), axis=0)) <= 256
        np.testing.assert_array_equal(got, want)  # at most 256 colours: an exact palette


@pytest.mark.skipif(importlib.util.find_spec("PIL") is None, reason="needs pillow")
def test_gif_with_many_colours_stays_close(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)  # ~1200 colours
    with VideoRecorder(tmp_path / "many.gif", scale=1) as rec:
        rec.add(frame)
    with Image.open(tmp_path / "many.gif") as im:
        got = np.asarray(im.convert("RGB")).astype(int)
    assert got.shape == frame.shape
    assert np.abs(got - frame.astype(int)).mean() < 20


@pytest.mark.skipif(not HAS_FFMPEG, reason="needs imageio-ffmpeg (alife-sim[video])")
def test_sim_video_mp4_every_stride_ticks(tmp_path):
    import imageio.v3 as iio

    sim = Simulation(TINY, seed=4)
    out = tmp_path / "run.mp4"
    with SimVideo(out, sim.config, stride=3) as video:
        assert video.observe(sim)            # tick 0
        assert not video.observe(sim)        # same tick: once only
        while sim.tick < 12:
            sim.step(video.ticks_until_due(sim.tick))
            assert sim.tick % 3 == 0
            video.observe(sim)
    assert video.recorder.frames == 5        # ticks 0, 3, 6, 9, 12
    frames = iio.imread(out, index=None)
    assert frames.shape[0] == 5
    assert frames.shape[1] % 2 == 0 and frames.shape[2] % 2 == 0
    # auto scale 512 // 24 = 21; above the world the label band, 7 rows of its 2x font
    assert frames.shape[1:3] == (20 * 21 + 14, 24 * 21)


def test_frame_size_must_not_change(tmp_path):
    if importlib.util.find_spec("PIL") is None:
        pytest.skip("needs pillow")
    rec = VideoRecorder(tmp_path / "x.gif")
    rec.add(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="size changed"):
        rec.add(np.zeros((5, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        rec.add(np.zeros((4, 4, 3), np.float32))
    rec.close()


def test_bad_stride_rejected(tmp_path):
    with pytest.raises(ValueError, match="stride"):
        SimVideo(tmp_path / "x.gif", stride=0)
