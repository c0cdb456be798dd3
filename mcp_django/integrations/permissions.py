"""Who may see and call a tool: Django permission codenames or a callable, per tool."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Requirement = Sequence[str] | Callable[[Any], bool] | None


def allowed(principal: Any, requirement: Requirement) -> bool:
    """True when `principal` meets `requirement` (no requirement: everyone, even anonymous)."""
    if requirement is None:
        return True
    if principal is None or not getattr(principal, "is_active", False):
        return False
    if callable(requirement):
        return bool(requirement(principal))
    return bool(principal.has_perms(list(requirement)))
