"""binder/: what a Binder launch installs matches pyproject.toml, and postBuild works from scratch.

requirements.txt pins symlab's dependencies and its notebook extra, all but the extra's JupyterLab
extension (symlab-jupyterlab), which postBuild builds from extension/ and installs.

The last test does what repo2docker does, in a clean virtual environment on a copy of the
repository's files: install binder/requirements.txt, run binder/postBuild, then check that
JupyterLab lists the extension, that the course is trusted (so its stored widgets draw) and
that the environment runs lesson 1 of the course.
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"


def _name(requirement):
    """The normalized project name of a requirement string such as 'numpy>=1.26'."""
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pins(path):
    """{name: version} of the `name==version` lines of a requirements or constraints file."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==", 1)
            pins[_name(name)] = version.strip()
    return pins


def test_binder_installs_symlabs_dependencies_and_notebook_extra_at_the_tested_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["notebook"]}
    # The notebook extra's JupyterLab extension is built from extension/ by postBuild, not fetched.
    extension_toml = ROOT / "extension" / "pyproject.toml"
    extension = _name(tomllib.loads(extension_toml.read_text())["project"]["name"])
    assert extension in wanted
    assert "python -m pip install --no-build-isolation --no-deps ./extension" in (
        (BINDER / "postBuild").read_text().splitlines())
    wanted.remove(extension)
    binder = _pins(BINDER / "requirements.txt")
    assert set(binder) == wanted
    tested = _pins(ROOT / "constraints.txt")
    assert {name: tested[name] for name in wanted} == binder
    assert "-c ../constraints.txt" in (BINDER / "requirements.txt").read_text().splitlines()


def test_binder_files_ask_for_graphviz_python_311_and_an_executable_postbuild():
    packages = [line for line in (BINDER / "apt.txt").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert packages == ["graphviz"]
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(BINDER / "postBuild", os.X_OK)


def _repository_files():
    """The files git knows of (tracked, or new and not ignored), relative to the root."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, check=True, capture_output=True).stdout
    return [name for name in listing.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.mark.timeout(1200)
@pytest.mark.skipif(shutil.which("node") is None, reason="postBuild builds the extension with node, not installed here")
def test_postbuild_succeeds_in_a_clean_virtual_environment(tmp_path):
    repo = tmp_path / "repo"
    for name in _repository_files():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter-config")  # nothing from the user's own set-up
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")      # where postBuild's trust signs

    def run(*command, cwd=repo):
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        return done.stdout + done.stderr

    run("python", "-m", "pip", "install", "-q", "-r", "binder/requirements.txt")
    assert "symlab and its JupyterLab extension are installed" in run("binder/postBuild")

    listing = re.sub(r"\x1b\[[0-9;]*m", "", run("jupyter", "labextension", "list"))  # no colours
    assert re.search(r"symlab-jupyterlab v\S+ enabled\s+OK", listing), listing
    # The environment runs the course: lesson 1, top to bottom, in a kernel of its own Python.
    run("jupyter", "nbconvert", "--to", "notebook", "--execute", "--output", str(tmp_path / "run.ipynb"),
        "notebooks/01-symbolic-basics.ipynb")
    assert (tmp_path / "run.ipynb").stat().st_size > 0
    # Every lesson is trusted, so JupyterLab draws its stored widgets when a learner opens it.
    trusted = run("python", "-c", "import glob, nbformat\n"
                  "from nbformat.sign import NotebookNotary\n"
                  "notary = NotebookNotary()\n"
                  "for path in sorted(glob.glob('notebooks/*.ipynb') + glob.glob('notebooks/zh/*.ipynb')):\n"
                  "    print(path, notary.check_signature(nbformat.read(path, as_version=4)))")
    english = sorted(path.name for path in (repo / "notebooks").glob("*.ipynb"))
    chinese = sorted(path.name for path in (repo / "notebooks" / "zh").glob("*.ipynb"))
    assert len(english) >= 8 and chinese == english
    course = [f"notebooks/{name}" for name in english] + [f"notebooks/zh/{n}" for n in chinese]
    assert trusted.split() == [word for path in course for word in (path, "True")], trusted
    where = run("python", "-c", "import symlab, symlab_jupyterlab; print(symlab.__file__)")
    assert where.strip().startswith(str(repo))
