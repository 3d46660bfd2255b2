"""Pytest fixtures for the storage tests: real PostgreSQL, real SQLite files, moto's S3 over HTTP.

Loaded for every test by the root conftest (`pytest_plugins`). PostgreSQL is never
skipped: if it is down the tests fail and say so, because a catalog only tested on SQLite is not tested.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from govbudget.storage.catalog import Catalog
from govbudget.storage.object_store import ObjectStore, open_store

PG_ADMIN_URL = os.environ.get(
    "GOVBUDGET_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
).replace("postgresql+psycopg://", "postgresql://", 1)
CATALOG_TABLES = (
    "records",
    "parse_results",
    "captures",
    "objects",
    "crawl_runs",
    "leases",
    "parse_attempts",
    "url_marks",
)


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({exc}). The storage tests need it and "
            "do not skip; run `bash bootstrap.sh test` or point GOVBUDGET_TEST_DATABASE_URL at one.",
            pytrace=False,
        )


def sqlalchemy_pg_url(database: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def fresh_pg_database() -> Iterator[Callable[[], str]]:
    """A factory of uniquely named scratch databases, all dropped at the end of the session."""
    created: list[str] = []

    def make() -> str:
        name = f"govbudget_test_{uuid.uuid4().hex[:12]}"
        with _admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return sqlalchemy_pg_url(name)

    yield make
    with _admin() as admin:
        for name in created:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def pg_url(fresh_pg_database: Callable[[], str]) -> str:
    """One migrated PostgreSQL database for the session; tests truncate it before use."""
    url = fresh_pg_database()
    Catalog(url).close()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same catalog tests run against a fresh SQLite file and an emptied PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog' / 'catalog.sqlite3'}"
    url = request.getfixturevalue("pg_url")
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(CATALOG_TABLES)} RESTART IDENTITY CASCADE")
    return url


@pytest.fixture
def catalog(catalog_url: str) -> Iterator[Catalog]:
    cat = Catalog(catalog_url)
    yield cat
    cat.close()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real S3 HTTP endpoint (moto's standalone server) on a free loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_options(endpoint: str) -> dict[str, str]:
    return {
        "endpoint": endpoint,
        "access_key": "testing",
        "secret_key": "testing-secret",
        "region": "us-east-1",
    }


@pytest.fixture
def s3_opts(moto_endpoint: str) -> dict[str, str]:
    """`open_store` options for the moto endpoint."""
    return s3_options(moto_endpoint)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """The same object-store tests over a local folder and over S3 (minio SDK → moto over HTTP)."""
    if request.param == "local":
        return open_store(tmp_path / "objects")
    endpoint = request.getfixturevalue("moto_endpoint")
    return open_store(f"s3://bucket-{uuid.uuid4().hex[:10]}/archive", **s3_options(endpoint))


@pytest.fixture
def dead_s3_opts() -> dict[str, str]:
    """`open_store` options for an endpoint where nothing listens (a port bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return s3_options(f"http://127.0.0.1:{port}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OwnRedis:
    """A private redis-server (no persistence) that a test may restart; never the shared one on 6379."""

    def __init__(self, binary: str = "/usr/bin/redis-server") -> None:
        self.binary, self.port = binary, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if not Path(self.binary).exists():
            pytest.fail(f"{self.binary} is missing: install redis-server (bash bootstrap.sh test)")
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"own redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis()
    server.start()
    yield server
    server.stop()


class RestartableMoto:
    """moto's S3 server on a fixed port that a test can stop and start again (state is kept in process)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def restartable_moto() -> Iterator[RestartableMoto]:
    moto = RestartableMoto()
    moto.start()
    yield moto
    moto.stop()


def start_celery_worker(
    env: dict[str, str], name: str, log_path: Path, queues: str = "parse"
) -> subprocess.Popen[bytes]:
    """A real Celery worker (solo pool: the task runs in the process a test may SIGKILL), ready."""
    import sys

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    full_env.update(env)
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "govbudget.tasks.app:app",
            "worker",
            "-Q",
            queues,
            "-P",
            "solo",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
        ],
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "ready." in log_path.read_text(errors="replace"):
            return proc
        if proc.poll() is not None:
            pytest.fail(log_path.read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    proc.kill()
    pytest.fail("worker did not become ready: " + log_path.read_text(errors="replace")[-3000:])


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
