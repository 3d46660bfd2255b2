"""Settings: flags over environment over embedded defaults; secrets never printed."""

from __future__ import annotations

from pathlib import Path

from govbudget.tasks.settings import Settings


def test_embedded_default_needs_no_configuration(tmp_path: Path) -> None:
    s = Settings.from_env({}, data_dir=tmp_path)
    assert s.embedded_queue
    assert s.effective_database_url == f"sqlite:///{(tmp_path / 'catalog.sqlite3').resolve()}"
    assert s.effective_storage_url == str((tmp_path / "objects").resolve())
    assert not s.allow_loopback


def test_environment_then_flags() -> None:
    env = {
        "GOVBUDGET_BROKER_URL": "redis://127.0.0.1:6379/3",
        "GOVBUDGET_ALLOW_LOOPBACK": "1",
        "GOVBUDGET_DATA_DIR": "/srv/gb",
    }
    s = Settings.from_env(env, data_dir=Path("/other"))
    assert s.broker_url == "redis://127.0.0.1:6379/3" and not s.embedded_queue
    assert s.allow_loopback
    assert s.data_dir == Path("/other")


def test_secrets_are_redacted() -> None:
    s = Settings.from_env(
        {
            "GOVBUDGET_S3_SECRET_KEY": "topsecret",
            "GOVBUDGET_DATABASE_URL": "postgresql+psycopg://gb:hunter2@db:5432/gb",
        }
    )
    shown = str(s.redacted()) + repr(s)
    assert "topsecret" not in shown and "hunter2" not in shown
    assert "postgresql+psycopg://gb:***@db:5432/gb" in shown
    # the subprocess environment still carries them
    assert s.to_env()["GOVBUDGET_S3_SECRET_KEY"] == "topsecret"
