"""ui/memory.py: one trimming thread per process, and malloc_trim really hands memory back."""

from __future__ import annotations

import ctypes
import threading

import pytest

from ui import memory


def _rss_kb() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(memory._libc_trim() is None, reason="not glibc")
def test_one_thread_per_process_however_often_app_py_runs(monkeypatch):
    monkeypatch.setattr(memory, "_started", False)
    before = [t for t in threading.enumerate() if t.name == "malloc-trim"]
    assert memory.start(period=3600) and memory.start(period=3600) and memory.start()
    after = [t for t in threading.enumerate() if t.name == "malloc-trim"]
    assert len(after) == len(before) + 1 and after[-1].daemon


def test_turned_off_by_the_environment(monkeypatch):
    monkeypatch.setattr(memory, "_started", False)
    monkeypatch.setenv("OPTLAB_TRIM", "0")
    assert memory.start() is False and memory._started is False


@pytest.mark.skipif(memory._libc_trim() is None, reason="not glibc")
def test_malloc_trim_returns_freed_heap_memory():
    """Many small freed blocks stay in the heap (RSS) until a trim gives their pages back."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    size, n = 32 * 1024, 3000  # 96 MB in blocks below the mmap threshold: they come from the heap
    blocks = [libc.malloc(size) for _ in range(n)]
    for b in blocks:
        libc.memset(b, 1, size)
    keep = blocks[-1]  # the top block stays: the heap cannot simply shrink from its end
    for b in blocks[:-1]:
        libc.free(b)
    freed = _rss_kb()
    memory._libc_trim()(0)
    trimmed = _rss_kb()
    libc.free(keep)
    assert freed - trimmed > 50 * 1024, (freed, trimmed)  # most of the 96 MB went back


def test_tidy_frees_unreachable_cycles_the_automatic_collector_left():
    """The periodic tidy collects the reference cycles a script run leaves (postScriptGC is off)."""
    import gc
    import weakref

    class Node:
        pass

    was = gc.isenabled()
    gc.disable()  # as a server between the collector's rare full collections
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        a.payload = bytearray(10_000_000)
        alive = weakref.ref(a)
        del a, b
        assert alive() is not None  # a cycle: reference counting alone does not free it
        trims = []
        memory.tidy(trims.append)
        assert alive() is None and trims == [0]
    finally:
        if was:
            gc.enable()
