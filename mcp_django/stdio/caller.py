"""Caller: the Django user a stdio process serves as, kept as fresh as an HTTP request's."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model

from ..core.errors import InvalidRequest
from ..runtime import run_sync


def load_user(pk: Any) -> Any:
    """The active user with that pk and its permissions loaded, or None."""
    user = get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
    if user is not None:
        user.get_all_permissions()  # filled here, in the thread, never on the event loop
    return user


class Caller:
    """Over HTTP every request authenticates anew; here the user is read again at most every
    PRINCIPAL_RECHECK_SECONDS, so changed permissions apply, and once the user is deleted or
    deactivated every request is refused (-32600)."""

    def __init__(self, user: Any, every: float) -> None:
        self.user = user
        self.every = every
        self.checked = time.monotonic()
        self.gone = False

    async def current(self) -> Any:
        if self.user is None or time.monotonic() - self.checked < self.every:
            return self._still_there()
        fresh = await run_sync(load_user, self.user.pk)
        self.checked = time.monotonic()
        self.gone = fresh is None
        self.user = fresh or self.user
        return self._still_there()

    def _still_there(self) -> Any:
        if self.gone:
            raise InvalidRequest(f"Invalid request: user {self.user.get_username()!r} is no "
                                 "longer active")
        return self.user
