"""The server's memory budget, and the bounded caches that keep to it (no streamlit).

Everything a replica holds beyond its baseline (Python, the libraries, the pages' code: about 125 MB after the
first visitor) is counted here, in bytes. README "Memory per replica" gives the figures measured against it.

    what                                           bound                              where
    st.cache_data (every page's cached results)    CACHE_DATA_MB in total            .streamlit/config.toml
    the Explorer's runs and their stage bytes      EXPLORER_RUNS_MB                  ui/caches.py
    custom formula surfaces (compiled programs)    FORMULAS_MB                       surfaces/formula.py
    the Explorer's 3-D figures (st.cache_resource) 32 figures, under 1 MB each       ui/caches.py
    one session                                    its widgets and settings; a weak  ui/caches.py
                                                   reference to its run in RUNS
    a GIF or MP4 being made                        EXPORTS_AT_ONCE per process (GIF  ui/export.py
                                                   ~30 MB; MP4 ~20 MB + FFmpeg ~180 MB)

A run in RUNS is at most RUN_MB (2000 steps, every quantity, the stage's bytes with Theory on). A session holds no
run of its own: while its tab is open its script runs hold the run they show; a closed tab's session (kept two
minutes for a reconnect) holds nothing, so 200 students one after another stay within the bounds above.

`BoundedCache` is a least-recently-used map bounded in bytes: an entry is measured once, when it is stored
(`deep_size`), and the oldest entries go first when the total would pass the bound. It is shared by the threads of
every session; a `clear_cache` message from a client cannot reach it.
"""

from __future__ import annotations

import gc
import sys
import threading
import types
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

MB = 1 << 20
CACHE_DATA_MB = 48  # .streamlit/config.toml server.maxCacheDataSize (a test keeps the two equal)
EXPLORER_RUNS_MB = 32
FORMULAS_MB = 16
FIGURES = 32
EXPORTS_AT_ONCE = 1  # GIF or MP4 encodings at once per process; the others wait (ui/export.py)
RUN_MB = 1.5  # one Explorer run of the most steps (2000) with every quantity, and its stage bytes: 1.3 MB

# Shared by everything, never counted as an entry's own: code, classes, modules.
_SHARED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.CodeType, types.MethodType)


def deep_size(obj: Any) -> int:
    """The bytes an object holds, following what it refers to (each object counted once); NumPy arrays by their
    buffer. Classes, functions, code and modules are shared and not counted (a closure's cells are)."""
    seen: set[int] = set()
    total = 0
    todo = [obj]
    while todo:
        o = todo.pop()
        if id(o) in seen or isinstance(o, _SHARED):
            continue
        seen.add(id(o))
        nbytes = getattr(o, "nbytes", None)
        if type(o).__module__ == "numpy" and isinstance(nbytes, int):
            total += sys.getsizeof(o) if getattr(o, "base", None) is not None else max(nbytes, sys.getsizeof(o))
            if getattr(o, "base", None) is not None:
                todo.append(o.base)
            continue
        total += sys.getsizeof(o)
        if isinstance(o, str | bytes | bytearray | int | float | complex | bool) or o is None:
            continue
        todo.extend(gc.get_referents(o))
    return total


class BoundedCache:
    """A thread-safe least-recently-used cache bounded in bytes (see the module docstring).

    `get_or_make(key, make)` returns the cached value or makes, stores and returns it; two threads asking for
    the same missing key may both make it (the later one is stored). An exception in `make` stores nothing.
    """

    def __init__(self, name: str, max_bytes: int, size: Callable[[Any], int] = deep_size):
        self.name, self.max_bytes, self._size = name, int(max_bytes), size
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.nbytes = 0
        self.hits = self.misses = self.evictions = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return default
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Hashable, value: Any, nbytes: int | None = None) -> Any:
        """Store `value` (measured now unless `nbytes` is given); return it. A value larger than the whole bound is
        returned but not kept."""
        n = self._size(value) if nbytes is None else int(nbytes)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.nbytes -= old[1]
            if n > self.max_bytes:
                return value
            self._items[key] = (value, n)
            self.nbytes += n
            while self.nbytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self.nbytes -= dropped
                self.evictions += 1
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        missing = object()
        value = self.get(key, missing)
        if value is missing:
            value = self.put(key, make())
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.nbytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def stats(self) -> dict[str, int | str]:
        with self._lock:
            return dict(
                name=self.name,
                entries=len(self._items),
                bytes=self.nbytes,
                max_bytes=self.max_bytes,
                hits=self.hits,
                misses=self.misses,
                evictions=self.evictions,
            )
