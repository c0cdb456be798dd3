"""Hand the memory of a large request back to the OS (glibc keeps freed heap pages otherwise)."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
from collections.abc import Callable

LARGE_BODY = 512 * 1024  # a body this big leaves megabytes of freed, fragmented heap behind
# daphne drops a finished request's input queue (the body's chunks, read or not) on its
# once-a-second sweep: trim after that.
RELEASE_DELAY = 1.5


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None
    return trim


_trim = _malloc_trim()


def release_memory() -> None:
    """`malloc_trim(0)`: return free heap pages to the OS (a few ms; after large bodies only)."""
    if _trim is not None:
        _trim(0)


_pending: asyncio.TimerHandle | None = None


def release_soon() -> None:
    """Release once, RELEASE_DELAY after the last of a run of large requests (debounced, so
    the trim comes after daphne has dropped the last one's chunks too)."""
    global _pending
    if _trim is None:
        return
    if _pending is not None:
        _pending.cancel()
    _pending = asyncio.get_running_loop().call_later(RELEASE_DELAY, release_memory)
