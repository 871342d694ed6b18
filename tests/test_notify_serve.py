"""`make run`'s last step, `manage.py serve`: the site answers and its worker works the queue; stopping serve stops
the worker. Real processes on a throwaway SQLite file."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_serve_runs_the_site_and_a_worker_and_stops_both(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/site.sqlite3", "PYTHONUNBUFFERED": "1"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    port = free_port()
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115
    serve = subprocess.Popen([*manage, "serve", f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=log,  # noqa: S603
                             stderr=subprocess.STDOUT)
    try:
        status, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline and status is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status  # noqa: S310
            except OSError as error:
                if getattr(error, "code", None):
                    status = error.code
                time.sleep(0.5)
        assert status is not None, (tmp_path / "serve.log").read_text()
        # The worker ran the first scheduled tick: its jobs have their rows.
        check = ("from notifications.models import ScheduledJob; "
                 "print(sorted(ScheduledJob.objects.values_list('name', flat=True)))")
        for _ in range(60):
            out = subprocess.run([*manage, "shell", "-v", "0", "-c", check], env=env, cwd=ROOT,  # noqa: S603
                                 capture_output=True, text=True).stdout
            if "extend_class_schedules" in out:  # the last of the jobs
                break
            time.sleep(0.5)
        assert "'extend_class_schedules'" in out and "'reminders'" in out, (tmp_path / "serve.log").read_text()
        workers = [p for p in children_of(serve.pid) if "run_worker" in Path(f"/proc/{p}/cmdline").read_text()]
        assert len(workers) == 1
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
        log.close()
    time.sleep(1)
    assert not alive(workers[0])
