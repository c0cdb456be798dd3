"""Call a Django cache from async code without blocking the loop or hopping threads needlessly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

from . import keys

IN_PROCESS = (LocMemCache, DummyCache)


def make_cache_caller(cache: Any, deployment: str = "") -> Callable[..., Any]:
    """An async `call(method_name, key, *args)` for `cache`; with a `deployment` (the
    DEPLOYMENT_KEY) every key is prefixed `<deployment>:`.

    In-process caches never block, so they are called inline. Network caches run in the
    default thread pool (not the single thread-sensitive one) so requests stay parallel.
    """
    call = _caller(cache)
    if not deployment:
        return call

    async def call_scoped(name: str, key: str, *args: Any, **kwargs: Any) -> Any:
        return await call(name, keys.cache_key(deployment, key), *args, **kwargs)
    return call_scoped


def _caller(cache: Any) -> Callable[..., Any]:
    if isinstance(cache, IN_PROCESS):
        async def call_inline(name: str, *args: Any, **kwargs: Any) -> Any:
            return getattr(cache, name)(*args, **kwargs)
        return call_inline

    async def call_in_thread(name: str, *args: Any, **kwargs: Any) -> Any:
        return await sync_to_async(getattr(cache, name), thread_sensitive=False)(*args, **kwargs)
    return call_in_thread
