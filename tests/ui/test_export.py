"""The export controls in AppTest: nothing is made unless asked for, bad GIF settings get a message beside
their control, Make GIF and Make MP4 make the planned frames and offer them (MP4 only with its encoder); and on
the Compare page, the race's exports."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from ui.page import Page
from viz import export as html_export
from viz import export_image as ei

PAGE = "export_page.py"  # the Explorer's export_controls for one run (resolved from this file)
TIMEOUT = 120


@pytest.fixture
def calls(monkeypatch):
    """Count every export the page makes (HTML, PNG, GIF), without changing what they return."""
    made: list[str] = []

    def counting(name, fn):
        def wrapper(*args, **kwargs):
            made.append(name)
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(html_export, "explorer_html", counting("html", html_export.explorer_html))
    monkeypatch.setattr(html_export, "race_html", counting("html", html_export.race_html))
    monkeypatch.setattr(ei, "explorer_png", counting("png", ei.explorer_png))
    monkeypatch.setattr(ei, "race_png", counting("png", ei.race_png))
    gif = ei.gif

    def counting_gif(scene, steps, fps, progress=None):
        made.append(("gif", len(steps), fps))
        made.append(("theory", getattr(scene, "model", None) is not None))
        data = gif(scene, steps, fps, progress)
        made.append(("bytes", len(data)))
        return data

    monkeypatch.setattr(ei, "gif", counting_gif)
    mp4 = ei.mp4

    def counting_mp4(scene, steps, fps, progress=None):
        made.append(("mp4", len(steps), fps))
        data = mp4(scene, steps, fps, progress)
        made.append(("bytes", len(data)))
        return data

    monkeypatch.setattr(ei, "mp4", counting_mp4)
    return made


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]


def _downloads(at) -> dict[str, object]:
    return {e.proto.label: e.proto for e in at.get("download_button")}


def test_the_explorer_controls_make_nothing_until_asked(calls):
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    _ok(at)
    downloads = _downloads(at)
    assert set(downloads) == {"Download animation (HTML)", "Download step 5 (PNG, 1920×1080)"}
    assert all(d.deferred_file_id for d in downloads.values())  # made by Streamlit only on a press
    assert not at.error and calls == []
    plan = ei.frame_plan(30, ei.DEFAULT_FPS, ei.DEFAULT_SECONDS)
    assert any(f"{len(plan)} frames (every step, up to step 30)" in c.value for c in at.caption)
    at.run()  # and a rerun makes nothing either
    assert calls == [] and not at.get("progress")


def test_make_gif_makes_the_planned_frames_and_offers_them(calls):
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["steps"] = 60
    at.run()
    at.number_input(key=Page("explorer").private("gif_fps")).set_value(10)
    at.number_input(key=Page("explorer").private("gif_seconds")).set_value(3).run()
    plan = ei.frame_plan(60, 10, 3)  # 30 frames for 61 steps: one step in 3 (and the last)
    assert any(f"{len(plan)} frames (one step in 3, up to step 60) at 10 per second" in c.value for c in at.caption)
    at.button(key=Page("explorer").private("gif_make")).click().run()
    _ok(at)
    assert calls[0] == ("gif", len(plan), 10) and calls[1] == ("theory", False)
    size = calls[2][1]
    gif = [e.proto for e in at.get("download_button") if e.proto.label.startswith("Download the GIF")]
    assert len(gif) == 1 and gif[0].label == f"Download the GIF ({size / 1e6:.1f} MB)"
    assert "html" not in calls and "png" not in calls
    at.run()  # anything else reruns the page: the GIF is not kept
    assert not [e for e in at.get("download_button") if e.proto.label.startswith("Download the GIF")]


def test_make_mp4_makes_the_planned_frames_and_offers_a_video(calls):
    if ei.mp4_unavailable():
        pytest.skip(ei.mp4_unavailable())
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["steps"] = 40
    at.run()
    assert not at.button(key=Page("explorer").private("mp4_make")).disabled
    at.number_input(key=Page("explorer").private("gif_fps")).set_value(8)
    at.number_input(key=Page("explorer").private("gif_seconds")).set_value(2).run()
    at.button(key=Page("explorer").private("mp4_make")).click().run()
    _ok(at)
    plan = ei.frame_plan(40, 8, 2)
    assert calls[0] == ("mp4", len(plan), 8) and "html" not in calls and "png" not in calls
    video = [e.proto for e in at.get("download_button") if e.proto.label.startswith("Download the MP4")]
    assert len(video) == 1 and video[0].label == f"Download the MP4 ({calls[1][1] / 1e6:.1f} MB)"
    assert not [e for e in at.get("download_button") if e.proto.label.startswith("Download the GIF")]
    at.run()  # not kept
    assert not [e for e in at.get("download_button") if e.proto.label.startswith("Download the MP4")]


def test_without_an_encoder_the_mp4_button_says_why_and_the_gif_still_works(calls, monkeypatch):
    monkeypatch.setattr(ei, "mp4_unavailable", lambda: "this server has no MP4 encoder (imageio-ffmpeg)")
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    _ok(at)
    button = at.button(key=Page("explorer").private("mp4_make"))
    assert button.disabled and "no MP4 encoder" in button.help
    assert any(c.value.startswith("No MP4 here: this server has no MP4 encoder") for c in at.caption)
    at.number_input(key=Page("explorer").private("gif_seconds")).set_value(1).run()
    at.button(key=Page("explorer").private("gif_make")).click().run()
    _ok(at)
    assert calls and calls[0][0] == "gif" and calls[1] == ("theory", False)


def test_with_the_theory_switch_on_the_exports_carry_the_model():
    from ui.export import theory_in

    assert theory_in("explorer?surface=bowl&theory=true") and theory_in("http://h/explorer?theory=1")
    assert not theory_in("explorer?surface=bowl") and not theory_in("explorer?theory=false")
    assert not theory_in("explorer?theory=maybe") and not theory_in(None)


def test_the_gif_of_a_run_with_theory_draws_the_model(calls):
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["theory"] = True
    at.run()
    at.number_input(key=Page("explorer").private("gif_seconds")).set_value(1).run()
    at.button(key=Page("explorer").private("gif_make")).click().run()
    _ok(at)
    assert calls[:2] == [("gif", ei.frame_plan(30, ei.DEFAULT_FPS, 1).size, ei.DEFAULT_FPS), ("theory", True)]


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        (
            Page("explorer").private("gif_fps"),
            0,
            "frame rate must be a whole number of frames per second in [1, 30], got 0",
        ),
        (
            Page("explorer").private("gif_fps"),
            45,
            "frame rate must be a whole number of frames per second in [1, 30], got 45",
        ),
        (Page("explorer").private("gif_seconds"), 0.5, "length must be a number of seconds in [1, 60], got 0.5"),
        (Page("explorer").private("gif_seconds"), 600, "length must be a number of seconds in [1, 60], got 600"),
    ],
)
def test_bad_gif_settings_get_a_message_and_no_gif(calls, key, value, words):
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    at.number_input(key=key).set_value(value).run()
    _ok(at)
    assert [e.value for e in at.error] == [f"The {words}."]
    assert at.button(key=Page("explorer").private("gif_make")).disabled
    assert at.button(key=Page("explorer").private("mp4_make")).disabled
    assert calls == []


def test_a_diverged_run_offers_its_last_step():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["surface"] = "rosenbrock"
    at.session_state["opt"] = "sgd"
    at.session_state["hp"] = {"lr": 0.05}
    at.session_state["t"] = 25
    at.run()
    _ok(at)
    rosen = surfaces.get("rosenbrock")
    traj = optimizers.run(optimizers.make("sgd", lr=0.05), rosen, rosen.default_start, 30)
    last = html_export.last_step(traj)
    assert traj.diverged_at is not None and last < 25  # the premise
    assert f"Download step {last} (PNG, 1920×1080)" in _downloads(at)
    assert any(f"up to step {last})" in c.value for c in at.caption)


def test_the_compare_page_offers_the_race_s_exports(calls):
    at = AppTest.from_file("../../app.py", default_timeout=TIMEOUT).run()
    at.switch_page("views/compare.py").run()
    _ok(at)
    downloads = _downloads(at)
    assert {"Download animation (HTML)", "Download the race's end (PNG, 1920×1080)"} <= set(downloads)
    assert calls == []
    at.number_input(key=Page("compare").private("gif_fps")).set_value(5)
    at.number_input(key=Page("compare").private("gif_seconds")).set_value(4).run()
    at.button(key=Page("compare").private("gif_make")).click().run()
    _ok(at)
    assert calls[0] == ("gif", len(ei.frame_plan(500, 5, 4)), 5)
    assert any(e.proto.label.startswith("Download the GIF") for e in at.get("download_button"))


def test_one_animated_export_is_made_at_a_time_and_the_next_waits_its_turn(monkeypatch):
    """A GIF or MP4 being made holds memory (budget/memory.py): EXPORTS_AT_ONCE per process. While another is
    being made, Make GIF waits with a message and starts when the other is done."""
    import threading

    from budget.memory import EXPORTS_AT_ONCE
    from ui import export

    assert EXPORTS_AT_ONCE == 1
    seen = []

    def gif(scene, steps, fps, progress=None):
        seen.append(export._exports._value)  # the turn is held while the frames are made
        return b"GIF89a"

    monkeypatch.setattr(ei, "gif", gif)
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["steps"] = 20
    at.run()
    assert export._exports.acquire(blocking=False)  # another export is being made
    threading.Timer(1.0, export._exports.release).start()  # ... and ends a second later
    at.button(key=Page("explorer").private("gif_make")).click().run()
    _ok(at)
    assert seen == [0]  # it ran, holding the only turn
    assert export._exports._value == EXPORTS_AT_ONCE  # and gave it back
    assert [e for e in at.get("download_button") if e.proto.label.startswith("Download the GIF")]


def test_an_export_that_fails_gives_its_turn_back(monkeypatch):
    from ui import export

    def broken(scene, steps, fps, progress=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ei, "gif", broken)
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["steps"] = 20
    at.run()
    at.button(key=Page("explorer").private("gif_make")).click().run()
    assert [e.value for e in at.error] == ["The GIF could not be made: disk full"]
    assert export._exports._value == 1
