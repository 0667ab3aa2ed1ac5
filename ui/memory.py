"""Hand freed memory back to the system now and then (glibc's malloc_trim), so a server's size follows its load.

Every script run allocates and frees a few buffers of ~0.6 MB (the Explorer's figure as JSON, as protobuf, as
a websocket frame), from as many threads as there are students. glibc keeps freed memory for reuse, in up to
16 arenas on 2 cores, so a minute after 40 students left a process stayed 76% above its size before them.
Mapping each large buffer on its own (MALLOC_MMAP_THRESHOLD_=65536) returned it at once but cost every run
about 10 ms of CPU. What `make run` does instead: two arenas (MALLOC_ARENA_MAX=2) and, from one daemon thread
per process started by app.py, a trim every 30 s: +14% a minute after, at the default allocator's speed
(README, "Teaching with it"; a trim every 5 s stalled a class's clicks now and then), each after a full garbage
collection (`tidy`: the cycles a run leaves are otherwise kept, as postScriptGC is off). OPTLAB_TRIM=0 turns the
thread off.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading
import time

PERIOD = 30.0  # seconds: often enough to be back a minute after a class, rarely enough not to stall it
_started = False
_lock = threading.Lock()


def _libc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
        return None


def tidy(trim) -> None:
    """Free unreachable reference cycles, then hand freed memory back to the system.

    With `runner.postScriptGC = false` (.streamlit/config.toml: a collection after every run cost most of the
    throughput), Python's own collector seldom runs a full collection, and the cycles a run leaves (frames,
    exceptions, Streamlit's per-run objects, with the arrays they hold) stayed: after 200 students explored
    one after another, one full collection took a server from 284 to 218 MB. A full collection of a server's
    objects takes a few tens of ms of one core, every PERIOD."""
    gc.collect()
    trim(0)


def start(period: float = PERIOD) -> bool:
    """Start the trimming thread once per process; False where there is no malloc_trim."""
    global _started
    if os.environ.get("OPTLAB_TRIM", "1") == "0":
        return False
    with _lock:
        if _started:
            return True
        trim = _libc_trim()
        if trim is None:
            return False

        def loop() -> None:
            while True:
                time.sleep(period)
                tidy(trim)

        threading.Thread(target=loop, name="malloc-trim", daemon=True).start()
        _started = True
        return True
