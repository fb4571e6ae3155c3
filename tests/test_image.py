"""The image and the compose example (issue 17): read as data, since no Docker engine runs here.

The Dockerfile: a build stage that makes wheels and a slim, non-root runtime that installs only
them, with a HEALTHCHECK on the ops server's /healthz (the command itself is run here against a
local server); .dockerignore: an allowlist with every COPY source and no secret; compose.yaml:
PostgreSQL with pg_isready, two replicas on the same DATABASE_URL, each with its health check,
started once the database is healthy; and hadolint clean, when it is installed (the dev extra).
"""

from __future__ import annotations

import http.server
import json
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args(self, keyword: str) -> list[str]:
        return [rest for kw, rest in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """The global ARG defaults and the stages, each a list of (INSTRUCTION, arguments)."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"

    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            words = rest.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        elif not stages:
            assert keyword == "ARG", f"only ARG may come before the first FROM, not {keyword}"
            arg, _, default = rest.partition("=")
            global_args[arg] = default
        else:
            stages[-1].instructions.append((keyword, rest))
    return global_args, stages


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


def resolve(image: str, args: dict[str, str]) -> str:
    for name, value in args.items():
        image = image.replace("${" + name + "}", value).replace("$" + name, value)
    return image


def healthcheck_command(stage: Stage) -> list[str]:
    (healthcheck,) = stage.args("HEALTHCHECK")
    _, _, command = healthcheck.partition(" CMD ")
    parsed = json.loads(command)
    assert isinstance(parsed, list)
    return [str(part) for part in parsed]


def test_two_stages_on_pinned_python_images(dockerfile: tuple[dict[str, str], list[Stage]]) -> None:
    args, stages = dockerfile
    assert [stage.name for stage in stages] == ["build", "runtime"]
    bases = [resolve(stage.base, args) for stage in stages]
    for base in bases:
        repository, _, tag = base.partition(":")
        assert repository == "python"
        assert tag not in ("", "latest"), base
        assert "$" not in tag, base
        assert tag.startswith("3.11"), base  # requires-python, and the version CI tests
    assert bases[1].endswith("-slim-bookworm")
    # The wheels are built for the Python that runs them: same version and Debian release.
    assert bases[0].replace("-bookworm", "") == bases[1].replace("-slim-bookworm", "")


def test_build_stage_makes_wheels_of_the_bot_and_its_dependencies(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    _, (build, _) = dockerfile
    (run,) = build.args("RUN")
    assert run.startswith("pip wheel ")
    assert "--wheel-dir /wheels" in run
    assert "'.[slack,discord]'" in run


def test_every_package_and_the_readme_reach_the_build(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    """A new top-level package in pyproject.toml needs a COPY, or the image lacks it."""
    _, (build, _) = dockerfile
    copied = {src.rstrip("/") for copy in build.args("COPY") for src in copy.split()[:-1]}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages <= copied
    assert {"pyproject.toml", project["project"]["readme"]} <= copied


def test_runtime_installs_only_wheels_and_runs_as_a_user(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    _, (_, runtime) = dockerfile
    assert runtime.args("COPY") == [], "no source in the runtime image"
    assert runtime.args("ADD") == []
    (run,) = runtime.args("RUN")
    assert run.startswith("--mount=type=bind,from=build,source=/wheels,target=/wheels ")
    install = run.split("&&")[0]
    for flag in ("--no-cache-dir", "--no-index", "--find-links=/wheels"):
        assert flag in install
    for build_tool in ("apt-get", "gcc", "build-essential", "pip wheel"):
        assert build_tool not in run
    (user,) = runtime.args("USER")
    uid = user.split(":")[0]
    assert uid.isdigit()
    assert int(uid) != 0
    assert runtime.args("VOLUME") == ['["/data"]']
    env = " ".join(runtime.args("ENV"))
    assert "DATABASE_URL=sqlite+aiosqlite:////data/followup.db" in env
    assert "OPS_PORT=9090" in env
    # The ops server listens on loopback by default; inside a container that would make a
    # published port (and so any scrape from outside the container) reach nothing.
    assert "OPS_HOST=0.0.0.0" in env
    assert "9090" in " ".join(runtime.args("EXPOSE")).split()
    assert runtime.args("CMD") == ['["followup-bot", "run"]']
    labels = " ".join(runtime.args("LABEL"))
    assert "org.opencontainers.image.title=" in labels


def test_the_healthcheck_asks_the_ops_servers_healthz(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    _, (_, runtime) = dockerfile
    (healthcheck,) = runtime.args("HEALTHCHECK")
    options = shlex.split(healthcheck.partition(" CMD ")[0])
    assert {"--interval=30s", "--timeout=5s", "--retries=3"} <= set(options)
    command = healthcheck_command(runtime)
    assert command[:2] == ["python", "-c"]  # the slim image has no curl
    assert "/healthz" in command[2]
    assert "OPS_PORT" in command[2]


class _Handler(http.server.BaseHTTPRequestHandler):
    status: ClassVar[int] = 200
    seen: ClassVar[list[str]] = []  # each fixture makes a subclass with a list of its own

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(self.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def ops_server(request: pytest.FixtureRequest) -> Iterator[tuple[int, list[str]]]:
    handler = type("Handler", (_Handler,), {"status": request.param, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler.seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def run_healthcheck(command: list[str], ops_port: str | None) -> int:
    env = {"PATH": "/usr/bin:/bin"}
    if ops_port is not None:
        env["OPS_PORT"] = ops_port
    done = subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, timeout=20, check=False
    )
    return done.returncode


@pytest.mark.parametrize(
    ("ops_server", "healthy"), [(200, True), (503, False)], indirect=["ops_server"]
)
def test_the_healthcheck_command_reports_what_healthz_answers(
    dockerfile: tuple[dict[str, str], list[Stage]],
    ops_server: tuple[int, list[str]],
    healthy: bool,
) -> None:
    port, seen = ops_server
    _, (_, runtime) = dockerfile
    assert (run_healthcheck(healthcheck_command(runtime), str(port)) == 0) is healthy
    assert seen == ["/healthz"]


def test_the_healthcheck_fails_when_nothing_listens(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _, (_, runtime) = dockerfile
    assert run_healthcheck(healthcheck_command(runtime), str(port)) != 0


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_dockerignore_lets_in_only_what_the_build_copies(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    patterns = dockerignore_patterns()
    assert patterns[0] == "*", "an allowlist: everything is out unless let in"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    _, (build, _) = dockerfile
    copied = {src.rstrip("/") for copy in build.args("COPY") for src in copy.split()[:-1]}
    assert allowed == copied
    for secret in (".env", ".git", ".venv", "tests", "followup.db"):
        assert secret not in allowed
    assert {"**/.env", "**/*.db", "**/__pycache__"} <= set(patterns)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def bots(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if s.get("build") == "."}


def test_compose_runs_postgres_with_a_readiness_check_and_a_volume(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    repository, _, tag = postgres["image"].partition(":")
    assert repository == "postgres"
    assert tag.split("-")[0].isdigit()
    assert "pg_isready" in postgres["healthcheck"]["test"]
    (volume,) = postgres["volumes"]
    name, _, target = volume.partition(":")
    assert target == "/var/lib/postgresql/data"
    assert name in compose["volumes"]
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_compose_runs_two_replicas_on_the_same_database(compose: dict[str, Any]) -> None:
    replicas = bots(compose)
    assert len(replicas) == 2
    urls = {s["environment"]["DATABASE_URL"] for s in replicas.values()}
    (url,) = urls
    assert url.startswith("postgresql+asyncpg://")
    assert "@postgres:5432/" in url
    for service in replicas.values():
        assert service["env_file"] == ".env"
        assert service["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        assert service["environment"]["OPS_PORT"] == "9090"
        assert service["environment"]["OPS_HOST"] == "0.0.0.0"
    # Ops ports: loopback only, a host port each.
    ports = [port for s in replicas.values() for port in s.get("ports", [])]
    assert all(p.startswith("127.0.0.1:") and p.endswith(":9090") for p in ports)
    assert len({p.split(":")[1] for p in ports}) == len(ports)
    # Discord: each replica runs its own shards, all of them between the two.
    shards = sorted(s["environment"]["DISCORD_SHARD_IDS"] for s in replicas.values())
    counts = {s["environment"]["DISCORD_SHARD_COUNT"] for s in replicas.values()}
    assert counts == {"2"}
    assert shards == ["0", "1"]


def test_compose_health_checks_are_the_images(
    compose: dict[str, Any], dockerfile: tuple[dict[str, str], list[Stage]]
) -> None:
    _, (_, runtime) = dockerfile
    for service in bots(compose).values():
        test = service["healthcheck"]["test"]
        assert test == ["CMD", *healthcheck_command(runtime)]


def hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def test_hadolint_finds_nothing() -> None:
    executable = hadolint()
    if executable is None:
        pytest.skip("hadolint isn't installed (pip install -e '.[dev]')")
    done = subprocess.run(
        [executable, "--no-color", "--failure-threshold", "style", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
