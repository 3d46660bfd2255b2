"""Shared fixtures: the real services integration tests use, and the portal simulator.

Integration tests never skip: when Redis or PostgreSQL is not reachable they fail with a message
saying how to start it (``bash bootstrap.sh test`` does).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

pytest_plugins = ["tests.storage_fixtures"]

# A stuck crawl in a test fails with its stack dump after three minutes instead of running into
# pytest-timeout's ten with nothing to show (tasks/crawl_process.py).
os.environ.setdefault("GOVBUDGET_CRAWL_STALL_TIMEOUT", "180")

REDIS_URL = os.environ.get("GOVBUDGET_TEST_REDIS_URL", "redis://127.0.0.1:6379")
DATABASE_URL = os.environ.get(
    "GOVBUDGET_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _require_port(url: str, default_port: int, what: str) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as exc:
        pytest.fail(f"{what} is not reachable at {host}:{port} ({exc}); run `bash bootstrap.sh test`")


@pytest.fixture(scope="session")
def redis_base_url() -> str:
    """The real Redis; each test takes its own database number."""
    _require_port(REDIS_URL, 6379, "Redis")
    return REDIS_URL.rstrip("/")


@pytest.fixture
def redis_url(redis_base_url: str) -> Iterator[str]:
    """A Redis database number of its own, flushed before and after the test."""
    import redis

    db = 5 + (uuid.uuid4().int % 10)
    url = f"{redis_base_url}/{db}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


@pytest.fixture
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database on the real server, dropped after the test."""
    import psycopg

    _require_port(DATABASE_URL.replace("postgresql+psycopg", "postgresql"), 5432, "PostgreSQL")
    admin_url = DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"govbudget_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(DATABASE_URL)
    yield parts._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def moto_s3(moto_endpoint: str) -> dict[str, str]:
    """moto's standalone S3 server (``storage_fixtures``) as the settings' endpoint and keys."""
    return {
        "endpoint": moto_endpoint,
        "access_key": "govbudget-test",
        "secret_key": "govbudget-test-secret",
    }


@pytest.fixture(scope="session")
def simulator() -> Iterator[object]:
    """One portal simulator for the session (its content is deterministic): the `core` suite, every
    family but the explorer-variant shells, which the discovery tests and `eval-sim` crawl instead."""
    from govbudget.simulator.server import PortalSimulator

    with PortalSimulator(suite="core") as sim:
        yield sim
