"""What tests need to see and steer at the sandbox: the requests it received (method, path, header names, body)
and faults to answer with (a status for the next calls to a path). Kept in memory, per process: the tests run the
sandbox under a live server in their own process."""

import threading

_lock = threading.Lock()
requests: list[dict] = []
_faults: dict[str, list[tuple[int, str, str]]] = {}


def record(entry: dict) -> None:
    with _lock:
        requests.append(entry)


def clear() -> None:
    with _lock:
        requests.clear()
        _faults.clear()


def fail_next(path_suffix: str, *statuses: int, code: str = "SANDBOX_FAULT",
              message: str = "Injected by the test.") -> None:
    """Answer the next calls whose path ends with `path_suffix` with these statuses, one each, in Wix's error shape
    with this application code and message."""
    with _lock:
        _faults.setdefault(path_suffix, []).extend((status, code, message) for status in statuses)


def take_fault(path: str) -> tuple[int, str, str] | None:
    """(status, application code, message) of the next fault for this path, or None."""
    with _lock:
        for suffix, statuses in _faults.items():
            if path.endswith(suffix) and statuses:
                return statuses.pop(0)
    return None
