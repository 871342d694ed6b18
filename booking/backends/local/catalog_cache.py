"""The catalog kept between requests in each process, under the catalog version (booking/catalog_version.py).

A page reads its service (with staff, places, category and policy: three queries and the ORM building them) on
every request, and a booking journey is five such pages; the catalog changes only when staff edit it. Each process
keeps the reads it made under the token it read with the business row, and drops them all when it reads another
token. Values are kept pickled and handed out as fresh copies, so a caller may change what it gets.

A token read before a change and a catalog read after it can meet in one request; the entry is then newer than its
token, never older, and no request reads that token after the change committed.
"""

import pickle
import threading
from collections.abc import Callable

MAX_ENTRIES = 256  # the keys come partly from addresses (a service's slug): a bound on what visitors can fill

_lock = threading.Lock()
_token: int | None = None
_entries: dict[tuple, bytes] = {}


def kept[T](token: int | None, key: tuple, read: Callable[[], T]) -> T:
    """What `read()` returns for the catalog of `token`: from this process's copy when it has one. No token (no
    version row), nothing kept."""
    global _token, _entries
    if not token:
        return read()
    with _lock:
        if token != _token:
            _token, _entries = token, {}
        found = _entries.get(key)
    if found is not None:
        return pickle.loads(found)  # noqa: S301 (our own bytes, made below in this process)
    value = read()
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    with _lock:
        if token == _token:
            if len(_entries) >= MAX_ENTRIES:
                _entries = {}
            _entries[key] = data
    return value
