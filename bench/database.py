"""The throwaway database of `make bench`: a fresh SQLite file in a temporary directory, unless DATABASE_URL is set;
then the server it names is used on a fresh database (PostgreSQL: `bench_<pid>`, created with psycopg and dropped at
the end; SQLite: `bench_<pid>.sqlite3` next to the file named, removed at the end). Nothing existing is touched."""

import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

POSTGRES_ENGINES = {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class ThrowawayDatabase:
    """Points DATABASE_URL at a database made for this run (before Django is set up) and removes it afterwards."""

    def __init__(self):
        self.tmpdir: str | None = None
        self.sqlite_file: Path | None = None
        self.postgres: dict | None = None  # connection parameters of the maintenance database, and the new name

    def __enter__(self):
        import dj_database_url

        given = os.environ.get("DATABASE_URL")
        if not given:
            self.tmpdir = tempfile.mkdtemp(prefix="bookingsite-bench-")
            os.environ["DATABASE_URL"] = f"sqlite:///{self.tmpdir}/bench.sqlite3"
            say(f"database: fresh SQLite file {self.tmpdir}/bench.sqlite3")
            return self
        config = dj_database_url.parse(given)
        name = f"bench_{os.getpid()}"
        if config["ENGINE"] in POSTGRES_ENGINES:
            self.postgres = {"config": config, "name": name}
            with self._maintenance_connection() as conn:
                from psycopg import sql

                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            os.environ["DATABASE_URL"] = _with_path(given, f"/{name}")
            say(f"database: new PostgreSQL database {name} on {config['HOST'] or 'localhost'}:{config['PORT'] or 5432}")
            return self
        if config["ENGINE"] == "django.db.backends.sqlite3":
            if config["NAME"] in ("", ":memory:"):
                say("database: SQLite in memory")
                return self
            self.sqlite_file = Path(config["NAME"]).resolve().parent / f"{name}.sqlite3"
            if self.sqlite_file.exists():
                raise SystemExit(f"bench: {self.sqlite_file} already exists; not touching it.")
            os.environ["DATABASE_URL"] = f"sqlite:///{self.sqlite_file}"
            say(f"database: fresh SQLite file {self.sqlite_file}")
            return self
        raise SystemExit(f"bench: DATABASE_URL names a {config['ENGINE']} database; only SQLite and PostgreSQL run.")

    def _maintenance_connection(self):
        import psycopg

        config = self.postgres["config"]
        params = {
            "dbname": config["NAME"] or "postgres",
            "user": config["USER"] or None,
            "password": config["PASSWORD"] or None,
            "host": config["HOST"] or None,
            "port": config["PORT"] or None,
        }
        return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True)

    def __exit__(self, *exc_info):
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if self.postgres:
            from psycopg import sql

            name = sql.Identifier(self.postgres["name"])
            with self._maintenance_connection() as conn:
                if conn.info.server_version >= 130000:  # FORCE ends any connection left behind
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
                else:
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
            say(f"dropped database {self.postgres['name']}")
        if self.sqlite_file:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.sqlite_file}{suffix}").unlink(missing_ok=True)
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        return False


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
