"""deploy/: the compose file and the Dockerfile are well formed and say what the issue asks.

No Docker engine runs here, so the files are parsed (PyYAML, dockerfile-parse) and their structure
checked: services, health checks, volumes, scaling, credentials from the environment, policies.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from dockerfile_parse import DockerfileParser

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SERVICES = {"minio", "minio-init", "redis", "postgres", "crawl-worker", "parse-worker", "beat", "flower"}
SECRET_NAMES = re.compile(r"(PASSWORD|SECRET|ACCESS_KEY|BASIC_AUTH)", re.I)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    return {str(k): str(v) for k, v in env.items()}


def test_compose_runs_every_service(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == SERVICES


def test_long_running_services_have_health_checks(compose: dict[str, Any]) -> None:
    dockerfile = DockerfileParser(path=str(DEPLOY / "Dockerfile"))
    image_has_check = any(i["instruction"] == "HEALTHCHECK" for i in dockerfile.structure)
    for name, service in compose["services"].items():
        if name == "minio-init":
            assert service["restart"] == "no"
            continue
        own = service.get("healthcheck", {}).get("test")
        assert own or ("build" in service and image_has_check), f"{name} has no health check"


def test_stateful_services_keep_data_in_named_volumes(compose: dict[str, Any]) -> None:
    volumes = set(compose["volumes"])
    for name, mount in (("minio", "/data"), ("redis", "/data"), ("postgres", "/var/lib/postgresql/data")):
        mounts = compose["services"][name]["volumes"]
        assert any(m.split(":")[0] in volumes and m.split(":")[1] == mount for m in mounts), name


def test_workers_can_scale(compose: dict[str, Any]) -> None:
    for name in ("parse-worker", "crawl-worker"):
        service = compose["services"][name]
        assert "container_name" not in service, "a fixed container name prevents --scale"
        assert "ports" not in service, "a published port prevents --scale"
    assert compose["services"]["parse-worker"]["command"][:4] == ["govbudget", "worker", "-Q", "parse"]
    assert compose["services"]["crawl-worker"]["command"][:4] == ["govbudget", "worker", "-Q", "crawl"]
    assert "--scale parse-worker=" in (DEPLOY / "README.md").read_text(encoding="utf-8")


def test_secrets_come_from_the_environment_and_are_required(compose: dict[str, Any]) -> None:
    seen = 0
    for name, service in compose["services"].items():
        for key, value in _env(service).items():
            if SECRET_NAMES.search(key) or "@" in value:
                seen += 1
                assert re.search(r"\$\{[A-Z_]+:\?[^}]*\}", value), f"{name}.{key} is not a required variable"
    assert seen >= 8
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert "change-me" not in text and "minioadmin" not in text


def test_workers_get_least_privilege_keys(compose: dict[str, Any]) -> None:
    crawl = _env(compose["services"]["crawl-worker"])
    parse = _env(compose["services"]["parse-worker"])
    assert "CRAWLER_ACCESS_KEY" in crawl["GOVBUDGET_S3_ACCESS_KEY"]
    assert "PARSER_ACCESS_KEY" in parse["GOVBUDGET_S3_ACCESS_KEY"]
    for name in ("beat", "flower"):
        assert "GOVBUDGET_S3_SECRET_KEY" not in _env(compose["services"][name])
    crawler = json.loads((DEPLOY / "minio" / "crawler-policy.json").read_text())
    parser = json.loads((DEPLOY / "minio" / "parser-policy.json").read_text())

    def object_actions(policy: dict[str, Any]) -> set[str]:
        return {
            a
            for s in policy["Statement"]
            if any(r.endswith("/raw/*") for r in s["Resource"])
            for a in s["Action"]
        }

    assert object_actions(crawler) == {"s3:PutObject", "s3:GetObject"}
    assert object_actions(parser) == {"s3:GetObject"}
    for policy in (crawler, parser):
        resources = {r for s in policy["Statement"] for r in s["Resource"]}
        assert all(r in {"arn:aws:s3:::govbudget", "arn:aws:s3:::govbudget/raw/*"} for r in resources)
        assert not any(a == "*" or a.endswith(":*") for s in policy["Statement"] for a in s["Action"])
    init = (DEPLOY / "minio" / "init.sh").read_text(encoding="utf-8")
    assert "mc anonymous set none local/govbudget" in init
    assert "crawler-policy.json" in init and "parser-policy.json" in init


def test_flower_monitors_on_loopback_only(compose: dict[str, Any]) -> None:
    flower = compose["services"]["flower"]
    assert "flower" in flower["command"]
    assert all(str(p).startswith("127.0.0.1:") for p in flower["ports"])
    published = [n for n, s in compose["services"].items() if s.get("ports")]
    assert published == ["flower"]


def test_dockerfile_is_well_formed() -> None:
    parser = DockerfileParser(path=str(DEPLOY / "Dockerfile"))
    instructions = [i["instruction"] for i in parser.structure]
    known = {
        "FROM",
        "ENV",
        "RUN",
        "WORKDIR",
        "COPY",
        "USER",
        "VOLUME",
        "HEALTHCHECK",
        "ENTRYPOINT",
        "CMD",
        "ARG",
        "LABEL",
        "EXPOSE",
        "COMMENT",
    }
    assert set(instructions) <= known, set(instructions) - known
    assert instructions[0] in {"FROM", "COMMENT"} and parser.baseimage.startswith("python:3.11")
    run = " ".join(i["value"] for i in parser.structure if i["instruction"] == "RUN")
    assert "chromium" in run and "pip install" in run
    assert parser.envs["GOVBUDGET_CHROMIUM_PATH"] == "/usr/bin/chromium"
    user = [i["value"] for i in parser.structure if i["instruction"] == "USER"]
    assert user and user[-1] not in {"root", "0"}
    for instr in ("ENTRYPOINT", "CMD"):
        value = next(i["value"] for i in parser.structure if i["instruction"] == instr)
        assert isinstance(json.loads(value), list), f"{instr} must be exec form"
    root = DEPLOY.parent
    for src in (i["value"].split()[0] for i in parser.structure if i["instruction"] == "COPY"):
        assert (root / src).exists(), f"COPY source {src} missing from the build context"
