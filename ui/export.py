"""Export controls: take a run or a race to class without a server (an HTML file, a GIF or MP4, a slide PNG).

    export_controls(traj, surface, link, container, t=t)            # the Explorer's run (t: the current step)
    race_export_controls(surface, trajs, names, labels, f_star, link, container)   # Compare's race

Nothing is computed unless asked for: the HTML and the PNG are deferred downloads (a callable `data=`, run by
Streamlit only when the button is pressed, with on_click="ignore": no rerun), so a page that does not export
pays for two buttons. A GIF or an MP4 takes seconds, and a deferred callable cannot show progress (Streamlit
ignores its st calls), so it is made by a button in a fragment of its own (only that part reruns) with a
progress bar, then offered as a download; its bytes live in Streamlit's media store for that one button, never
in the session's state. The frame rate and length cap are checked, with a message beside the control. MP4 needs
the optional imageio-ffmpeg package; without it the MP4 button is disabled and a caption says why.
"""

from __future__ import annotations

import functools
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

import streamlit as st

import i18n
from budget.memory import EXPORTS_AT_ONCE
from i18n import translator
from ui.budget import checkpoint
from ui.page import Page
from viz import export as html_export
from viz import export_image as image_export

_, ngettext = translator("app")

FALLBACK_BASE_URL = "http://localhost:8501"


def base_url(page_path: str) -> str:
    """The app's address as the visitor's browser sees it, without the page's own path (http://host:8501)."""
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 - no browser (AppTest, a bare script): the local default
        url = None
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return FALLBACK_BASE_URL
    url = url.split("?", 1)[0].rstrip("/")
    head, _sep, last = url.rpartition("/")
    return head if last == page_path and urlsplit(head).netloc else url


def current_link(page_path: str) -> str:
    """The page's own settings as a relative link, from the query string it mirrors ("compare?surface=...")."""
    return f"{page_path}?" + urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])


def absolute(link: str | None, page_path: str) -> str | None:
    if not link:
        return None
    return html_export.app_link(base_url(page_path), link)


def _html_bytes(build, *args, **kwargs) -> bytes:
    return build(*args, **kwargs).encode("utf-8")


def theory_in(link: str | None) -> bool:
    """Whether a link's settings have the Explorer's Theory switch on (its `theory` parameter)."""
    from ui.state import parse_bool

    values = parse_qs(urlsplit(link or "").query).get("theory", [])
    try:
        return bool(values) and parse_bool(values[-1])
    except ValueError:
        return False


def _in_language(language: str, build, *args, **kwargs):
    with i18n.use(language):
        return build(*args, **kwargs)


def deferred(build, *args, **kwargs) -> functools.partial:
    """A deferred download's callable that makes its file in the session's language of now: Streamlit calls it
    later, when the button is pressed, outside the script's run (where no session says the language)."""
    return functools.partial(_in_language, i18n.lang(), build, *args, **kwargs)


def _files_caption() -> None:
    st.caption(
        _(
            "Files that play with no server and no network: an animation for any browser, a GIF or an MP4 video "
            "for slides and chats, a picture for a slide. Each is made only when you press its button."
        )
    )


def export_controls(
    traj,
    surface,
    link: str | None,
    container=None,
    *,
    t: int | None = None,
    key: str = "explorer",
    theory: bool | None = None,
):
    """The Explorer's exports of one run: HTML animation, GIF or MP4, a PNG of step `t` (default: the last).

    `link` is the Explorer's link to these settings, relative (presets.explorer_link) or absolute; `container`
    where to draw (default: the page). Widget keys start with `key`. `theory`: the exports carry the local
    quadratic model and its numbers (the Theory switch); None: as the link's settings say.
    """
    box = container if container is not None else st
    theory = theory_in(link) if theory is None else bool(theory)
    link = absolute(link, "explorer")
    stem = f"{traj.optimizer.name}-{getattr(surface, 'name', 'surface')}"
    last = html_export.last_step(traj)
    step = last if t is None else int(min(max(t, 0), last))
    with box.container(key=f"{key}-export"):
        _files_caption()
        row = st.container(horizontal=True, gap="small")
        row.download_button(
            _("Download animation (HTML)"),
            data=deferred(_html_bytes, html_export.explorer_html, traj, surface, link=link, theory=theory),
            file_name=f"{stem}.html",
            mime="text/html",
            on_click="ignore",
            key=Page(key).private("export_html"),
            help=_(
                "One file (about 5 MB: plotly.js is inside it) that plays this run in any browser without a "
                "network: Play, Pause, a scrubber and the optimizer's numbers at every step."
            ),
        )
        row.download_button(
            _("Download step {step} (PNG, 1920×1080)").format(step=step),
            data=deferred(image_export.explorer_png, traj, surface, step, theory=theory),
            file_name=f"{stem}-step{step}.png",
            mime="image/png",
            on_click="ignore",
            key=Page(key).private("export_png"),
            help=_("This step as a picture for a slide: the map, the loss and the optimizer's numbers."),
        )
        scene = functools.partial(image_export.ExplorerScene, traj, surface, theory=theory)
        gif_section(scene, last, f"{stem}.gif", key)


def race_export_controls(
    surface, trajs, names, labels, f_star, link: str | None, container=None, *, key: str = "compare"
) -> None:
    """Compare's exports of a race: HTML animation, GIF or MP4, a PNG of its end (see export_controls)."""
    box = container if container is not None else st
    link = absolute(link, "compare")
    stem = f"race-{getattr(surface, 'name', 'surface')}"
    last = max(html_export.last_step(t) for t in trajs)
    with box.container(key=f"{key}-export"):
        _files_caption()
        row = st.container(horizontal=True, gap="small")
        row.download_button(
            _("Download animation (HTML)"),
            data=deferred(_html_bytes, html_export.race_html, surface, trajs, names, labels, f_star=f_star, link=link),
            file_name=f"{stem}.html",
            mime="text/html",
            on_click="ignore",
            key=Page(key).private("export_html"),
            help=_(
                "One file (about 5 MB: plotly.js is inside it) that plays this race in any browser without a "
                "network, with Play, Pause and a scrubber."
            ),
        )
        row.download_button(
            _("Download the race's end (PNG, 1920×1080)"),
            data=deferred(image_export.race_png, surface, trajs, names, labels, f_star=f_star),
            file_name=f"{stem}.png",
            mime="image/png",
            on_click="ignore",
            key=Page(key).private("export_png"),
            help=_("The race at its last step as a picture for a slide: every path and every loss curve."),
        )
        scene = functools.partial(image_export.RaceScene, surface, trajs, names, labels, f_star=f_star)
        gif_section(scene, last, f"{stem}.gif", key)


def _checked(box, label: str, key: str, default: float, check, step: float, fmt: str):
    """A number input with its check: the value, or None after a message beside the control."""
    if key not in st.session_state:
        st.session_state[key] = default
    raw = box.number_input(label, key=key, step=step, format=fmt)
    try:
        return check(raw)
    except ValueError as exc:
        box.error(f"{str(exc)[0].upper()}{str(exc)[1:]}.", icon=":material/warning:")
        return None


# A GIF or MP4 being made holds memory (budget/memory.py: about 30 MB in the process for a GIF; an MP4 also runs an
# FFmpeg process of about 180 MB): EXPORTS_AT_ONCE at a time per process, the others wait their turn.
_exports = threading.BoundedSemaphore(EXPORTS_AT_ONCE)


def _my_turn(bar) -> None:
    """Wait until no other animated export is being made in this process (a closed tab stops waiting)."""
    if _exports.acquire(blocking=False):
        return
    bar.progress(0.0, text=_("Another GIF or MP4 is being made on this server: yours starts when it is done ..."))
    while not _exports.acquire(timeout=0.1):
        checkpoint()


# the animated formats: (label, file suffix, MIME type, encoder in viz.export_image)
FORMATS = {"gif": ("GIF", "gif", "image/gif", "gif"), "mp4": ("MP4", "mp4", "video/mp4", "mp4")}


@st.fragment
def gif_section(make_scene, last: int, file_name: str, key: str) -> None:
    """Frame rate, length cap, "Make GIF" and "Make MP4" with a progress bar, then the file's download (a
    fragment of its own). MP4 is optional: without an encoder its button is disabled and a caption says why.

    Under the page's error guard: a fragment's rerun does not pass through the page's main()."""
    with Page(key).guard(_("the GIF or MP4 export")):
        _gif_section(make_scene, last, file_name, key)


def _gif_section(make_scene, last: int, file_name: str, key: str) -> None:
    cols = st.columns([1, 1, 2], vertical_alignment="bottom")
    lo, hi = image_export.FPS_RANGE
    fps = _checked(
        cols[0],
        _("Frames per second ({lo}-{hi})").format(lo=lo, hi=hi),
        Page(key).private("gif_fps"),
        image_export.DEFAULT_FPS,
        image_export.check_fps,
        1,
        "%d",
    )
    lo, hi = image_export.SECONDS_RANGE
    seconds = _checked(
        cols[1],
        _("Length at most, s ({lo}-{hi})").format(lo=lo, hi=hi),
        Page(key).private("gif_seconds"),
        image_export.DEFAULT_SECONDS,
        image_export.check_seconds,
        1.0,
        "%g",
    )
    ok = fps is not None and seconds is not None
    no_mp4 = image_export.mp4_unavailable()
    buttons = cols[2].container(horizontal=True, gap="small")
    made = None
    if buttons.button(_("Make GIF (1280×720)"), key=Page(key).private("gif_make"), disabled=not ok):
        made = "gif"
    if buttons.button(
        _("Make MP4 (1280×720)"),
        key=Page(key).private("mp4_make"),
        disabled=not ok or no_mp4 is not None,
        help=_(
            "H.264 video, the common format that browsers and slide programs play; smaller than the GIF for long runs."
        )
        if no_mp4 is None
        else _("Not available: {reason}.").format(reason=no_mp4),
    ):
        made = "mp4"
    if no_mp4 is not None:
        st.caption(_("No MP4 here: {reason}. The GIF is the same animation.").format(reason=no_mp4))
    if not ok:
        return
    plan = image_export.frame_plan(last, fps, seconds)
    stride = int(plan[1] - plan[0]) if len(plan) > 1 else 1
    every = _("every step") if stride == 1 else _("one step in {stride}").format(stride=stride)
    st.caption(
        ngettext(
            "{n} frame ({every}, up to step {last}) at {fps} per second: {seconds} s, the last frame held {hold} s "
            "before it loops.",
            "{n} frames ({every}, up to step {last}) at {fps} per second: {seconds} s, the last frame held {hold} s "
            "before it loops.",
            len(plan),
        ).format(
            n=len(plan),
            every=every,
            last=last,
            fps=fps,
            seconds=f"{len(plan) / fps:.1f}",
            hold=f"{image_export.HOLD_LAST_MS / 1000:g}",
        )
    )
    if made is None:
        return
    name, suffix, mime, encoder = FORMATS[made]
    bar = st.progress(0.0, text=_("Drawing the frames ..."))
    shown = [-1.0]

    def progress(done: int, total: int) -> None:
        checkpoint()  # a closed tab, or a newer run of this session, stops the export between frames
        share = done / total
        if share - shown[0] >= 0.04 or done >= total - 1:  # at most ~25 messages to the browser
            shown[0] = share
            if done >= total - 1:
                text = _("Encoding the {name} ...").format(name=name)
            else:
                text = _("Drawing frame {done} of {total}").format(done=done, total=total - 1)
            bar.progress(min(share, 1.0), text=text)

    _my_turn(bar)
    try:
        data = getattr(image_export, encoder)(make_scene(), plan, fps, progress)
    except Exception as exc:  # noqa: BLE001 - never a traceback on the page
        bar.empty()
        st.error(_("The {name} could not be made: {error}").format(name=name, error=exc), icon=":material/error:")
        return
    finally:
        _exports.release()
    bar.empty()
    st.download_button(
        _("Download the {name} ({size} MB)").format(name=name, size=f"{len(data) / 1e6:.1f}"),
        data=data,
        file_name=f"{file_name.rsplit('.', 1)[0]}.{suffix}",
        mime=mime,
        on_click="ignore",
        key=Page(key).private(f"{made}_download"),
        type="primary",
    )
