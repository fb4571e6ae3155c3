"""`followup-bot check-rules`: a club checks its rulebook and draft templates before using them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "check-rules", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )


def test_the_bundled_files_are_valid() -> None:
    result = check()
    assert result.returncode == 0, result.stderr
    assert "7 kinds of conversation, all valid" in result.stdout
    assert "draft templates valid" in result.stdout


def test_a_misspelt_placeholder_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    bundled = (ROOT / "rules" / "drafts.toml").read_text(encoding="utf-8")
    lines = bundled.splitlines(keepends=True)
    # The first template (not a comment) that uses {company}.
    index = next(
        i
        for i, text in enumerate(lines)
        if "{company}" in text and not text.lstrip().startswith("#")
    )
    lines[index] = lines[index].replace("{company}", "{compny}", 1)
    broken = tmp_path / "drafts.toml"
    broken.write_text("".join(lines), encoding="utf-8")
    line = index + 1
    result = check("--drafts", str(broken))
    assert result.returncode == 2
    assert f"{broken}:{line}:" in result.stderr
    assert "{compny}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_rulebook_names_the_key(tmp_path: Path) -> None:
    bundled = (ROOT / "rules" / "rulebook.toml").read_text(encoding="utf-8")
    broken = tmp_path / "rules.toml"
    broken.write_text(
        bundled.replace("deadline_hours = 48", "deadline_hours = -1"), encoding="utf-8"
    )
    result = check(str(broken))
    assert result.returncode == 2
    assert f"{broken}: timing.deadline_hours: must be a positive number" in result.stderr
