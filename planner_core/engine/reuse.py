"""Work shared within one evaluation: a replica's capacity under the SLOs depends only on its
hardware, model, engine, token lengths and limits, not on the workload asking, so within one
:func:`~planner_core.engine.evaluate.evaluate` every workload and scenario that asks the same
question gets the answer computed once. Outside an evaluation nothing is kept, unless the
caller hands :func:`shared` a :class:`Bounded` memory of its own (the window's evaluator does:
an edit of a price or a peak rate asks the capacity questions of the edit before). Arguments
that are arrays (sweeps, optimize) are never keyed: they are computed as before.
"""

from __future__ import annotations

import copy
import functools
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

_MEMO: ContextVar[dict | None] = ContextVar("planner_reuse", default=None)


class Bounded(OrderedDict):
    """A memory of the ``size`` answers used last, to keep across evaluations."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get(self, key, default=None):
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        while len(self) > self.size:
            self.popitem(last=False)


@contextmanager
def shared(memory: dict | None = None) -> Iterator[None]:
    """Within this block, :func:`reused` functions answer a repeated question from memory
    (``memory`` if given, else one that lasts as long as the block); an enclosing block's
    memory is used if there is one."""
    token = _MEMO.set({} if memory is None else memory) if _MEMO.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _MEMO.reset(token)


def reused(fn):
    """``fn``'s result is kept per arguments within :func:`shared`; each caller gets its own
    shallow copy (callers set fields of the load points they receive)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        memo = _MEMO.get()
        if memo is None:
            return fn(*args, **kwargs)
        key = (fn.__qualname__, tuple(_plain(a) for a in args),
               tuple(sorted(kwargs.items())))
        try:
            found = memo.get(key)
        except TypeError:  # an array among the arguments: a sweep, computed as it comes
            return fn(*args, **kwargs)
        if found is None:
            found = memo[key] = fn(*args, **kwargs)
        return copy.copy(found)

    return wrapper


def _plain(value):
    """A 0-d array as the number it holds (an array is not a key; a number is)."""
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value


def distinct(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of equal-length 1-D ``columns`` (one or more, not none): (the index
    of each one's first occurrence, sorted by value; where each row finds its distinct one).
    A sweep evaluated once per distinct row spreads the answers back with ``where``."""
    if len(columns) == 1:
        _values, first, where = np.unique(columns[0], return_index=True, return_inverse=True)
    else:
        _values, first, where = np.unique(np.stack(columns, axis=1), axis=0,
                                          return_index=True, return_inverse=True)
    return first, where.ravel()
