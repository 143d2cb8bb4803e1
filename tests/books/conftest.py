"""Running the real ``import_directory`` command against real folders in ``tmp_path``."""

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@dataclass
class CommandRun:
    stdout: str
    stderr: str
    error: CommandError | None

    @property
    def ok(self) -> bool:
        return self.error is None


@pytest.fixture
def src(tmp_path):
    """The folder being imported (media lives in a sibling folder, see tests/conftest.py)."""
    folder = tmp_path / "src"
    folder.mkdir()
    return folder


@pytest.fixture
def run_import(db):
    """``run_import(path, "--flag", option=value)``: the command's output, CommandError kept."""

    def run(path, *args, **options) -> CommandRun:
        stdout, stderr = io.StringIO(), io.StringIO()
        options.setdefault("no_progress", True)
        try:
            call_command(
                "import_directory", str(path), *args, stdout=stdout, stderr=stderr, **options
            )
        except CommandError as error:
            return CommandRun(stdout.getvalue(), stderr.getvalue(), error)
        return CommandRun(stdout.getvalue(), stderr.getvalue(), None)

    return run
