"""symlab as users install it: two wheels, symlab's and its JupyterLab extension's.

`pip install symlab[notebook]` brings the prebuilt extension: the notebook extra requires the
distribution symlab-jupyterlab (built from extension/) at symlab's own version.

The slow tests build both wheels with `python -m build --wheel` (straight from the source tree;
plain `python -m build` goes through the sdist and works too, in about twice the time) from a
copy of the repository's files, so the extension's bundle is built by its build backend
(hatch-jupyter-builder runs `jlpm install` against the committed yarn.lock, immutably, then
`jlpm build:prod`) and nothing a developer built in extension/ slips in. They then install the
two wheels, not the checkout, into a clean virtual environment.

Where the dependencies come from: `--no-index` means every requirement must be found on disk, and
symlab's third-party dependencies (NumPy, JupyterLab, ipywidgets...) are not wheels on disk. So the
clean environment first gets them from the package index: exactly those that the symlab wheel's
metadata names (the core and the notebook extra, less the distributions built here), at the
versions pinned by constraints.txt. Then `pip install --isolated --no-index --find-links <the two
wheels> symlab[notebook]` resolves symlab and its extra with no index at all, so symlab-jupyterlab
can only come from the wheel built here; `pip check` confirms every requirement is met.

About 80 s on this 2-core machine (up to 2 minutes while it is busy): the extension's wheel ~30 s
(an isolated build environment with JupyterLab, `jlpm install` from the yarn cache, webpack), the
dependencies ~25 s, the rest ~20 s.
Like test_binder.py, it needs node and the package index (PyPI and the npm registry, or caches).
"""

import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = "symlab-jupyterlab"                      # distribution, labextension and widget module
LABEXTENSION_DIR = f"share/jupyter/labextensions/{EXTENSION}"


def _slow(test):
    """Marks `test` as one that builds the wheels: it needs node and may take minutes."""
    test = pytest.mark.timeout(1200)(test)
    no_node = shutil.which("node") is None
    return pytest.mark.skipif(no_node, reason="the extension's wheel is built with node")(test)


def _project(path):
    """The [project] table of the pyproject.toml at `path`."""
    return tomllib.loads(path.read_text())["project"]


def _symlab_version():
    """symlab's version, from pyproject.toml."""
    return _project(ROOT / "pyproject.toml")["version"]


def _repository_files():
    """The files git knows of (tracked, or new and not ignored), relative to the root."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listing = subprocess.run(command, cwd=ROOT, check=True, capture_output=True).stdout
    return [name for name in listing.decode().split("\0") if name and (ROOT / name).is_file()]


def _clean_environment(tmp):
    """os.environ without any virtual environment, and Jupyter's folders moved under `tmp`."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["JUPYTER_CONFIG_DIR"] = str(tmp / "jupyter-config")  # nothing from the user's own set-up
    env["JUPYTER_DATA_DIR"] = str(tmp / "jupyter-data")
    return env


def _run(command, env, cwd):
    """Runs `command`; returns its stdout and stderr together; a non-zero exit fails the test."""
    command = [str(part) for part in command]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, (f"{' '.join(map(str, command))} failed:\n"
                                  f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done.stdout + done.stderr


def _venv(path, env):
    """Creates a clean virtual environment at `path`; returns its bin folder."""
    _run([sys.executable, "-m", "venv", path], env, path.parent)
    return path / "bin"


def _wheel_files(wheel):
    """The names of the files in `wheel`."""
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def _wheel_metadata(wheel):
    """The METADATA of `wheel`, parsed as an email message."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Both wheels, built by `python -m build --wheel` from a copy of the repository's files."""
    tmp = tmp_path_factory.mktemp("wheels")
    repo = tmp / "repo"
    for name in _repository_files():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    assert not (repo / "extension" / "symlab_jupyterlab" / "labextension").exists()  # built below
    env = _clean_environment(tmp)
    # Every isolated build environment (setuptools; hatchling, its hook and JupyterLab for jlpm)
    # gets the versions pinned in constraints.txt; jlpm must not change the committed yarn.lock.
    env["PIP_CONSTRAINT"] = str(ROOT / "constraints.txt")
    env["YARN_ENABLE_IMMUTABLE_INSTALLS"] = "true"
    tools = _venv(tmp / "build-tools", env)
    _run([tools / "python", "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", "build"],
         env, tmp)
    dist = tmp / "dist"
    for project in (repo, repo / "extension"):
        _run([tools / "python", "-m", "build", "--wheel", "--outdir", dist, project], env, tmp)
    version = _symlab_version()
    return SimpleNamespace(tmp=tmp, repo=repo, dist=dist, env=env,
                           symlab=dist / f"symlab-{version}-py3-none-any.whl",
                           extension=dist / f"symlab_jupyterlab-{version}-py3-none-any.whl")


@pytest.fixture(scope="module")
def installed(built):
    """A clean virtual environment with the two wheels installed as `symlab[notebook]`."""
    env = _clean_environment(built.tmp)
    venv = built.tmp / "venv"
    bin_ = _venv(venv, env)
    env["PATH"] = f"{bin_}{os.pathsep}{env['PATH']}"
    local = {canonicalize_name("symlab"), canonicalize_name(EXTENSION)}
    wanted = [Requirement(line) for line in _wheel_metadata(built.symlab).get_all("Requires-Dist")]
    dependencies = sorted(f"{r.name}{r.specifier}" for r in wanted  # their markers left out
                          if canonicalize_name(r.name) not in local
                          and (r.marker is None or r.marker.evaluate({"extra": "notebook"})))
    _run(["python", "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", *dependencies],
         env, built.tmp)
    output = _run(["python", "-m", "pip", "install", "--isolated", "--no-index",
                   "--find-links", built.dist, f"symlab[notebook]=={_symlab_version()}"],
                  env, built.tmp)
    return SimpleNamespace(venv=venv, env=env, install_output=output, cwd=built.tmp)


def test_notebook_extra_requires_the_extension_at_symlabs_own_version():
    version = _symlab_version()
    extra = _project(ROOT / "pyproject.toml")["optional-dependencies"]["notebook"]
    pins = [Requirement(requirement) for requirement in extra]
    assert [str(r.specifier) for r in pins if r.name == EXTENSION] == [f"=={version}"]
    assert _project(ROOT / "extension" / "pyproject.toml")["name"] == EXTENSION
    assert _project(ROOT / "extension" / "pyproject.toml")["version"] == version
    package = json.loads((ROOT / "extension" / "package.json").read_text())
    assert (package["name"], package["version"]) == (EXTENSION, version)
    init = (ROOT / "extension" / "symlab_jupyterlab" / "__init__.py").read_text()
    assert re.search(r'^__version__ = "([^"]+)"$', init, re.M).group(1) == version


@_slow
def test_extension_wheel_holds_the_bundle_built_from_the_committed_lockfile(built):
    files = _wheel_files(built.extension)
    data = f"symlab_jupyterlab-{_symlab_version()}.data/data/{LABEXTENSION_DIR}/"
    bundle = [name[len(data):] for name in files if name.startswith(data)]
    assert {"package.json", "install.json", "static/style.js"} <= set(bundle), files
    assert any(re.fullmatch(r"static/remoteEntry\.[0-9a-f]+\.js", name) for name in bundle), files
    with zipfile.ZipFile(built.extension) as archive:
        package = json.loads(archive.read(data + "package.json"))
        install = json.loads(archive.read(data + "install.json"))
    assert (package["name"], package["version"]) == (EXTENSION, _symlab_version())
    assert install["packageName"] == EXTENSION
    # The Python package holds its code only: the bundle is in the wheel once, and no sources.
    package_files = [name for name in files if not name.startswith("symlab_jupyterlab-")]
    assert package_files == ["symlab_jupyterlab/__init__.py"], files
    lockfile = Path("extension", "yarn.lock")
    assert (built.repo / lockfile).read_bytes() == (ROOT / lockfile).read_bytes()


@_slow
def test_symlab_wheel_holds_the_package_and_names_the_extension_in_its_notebook_extra(built):
    files = _wheel_files(built.symlab)
    assert "symlab/__init__.py" in files
    metadata_folder = f"symlab-{_symlab_version()}.dist-info/"
    assert all(name.startswith(("symlab/", metadata_folder)) for name in files), files
    requires = [Requirement(r) for r in _wheel_metadata(built.symlab).get_all("Requires-Dist")]
    extension = [r for r in requires if r.name == EXTENSION]
    assert [(str(r.specifier), str(r.marker)) for r in extension] == [
        (f"=={_symlab_version()}", 'extra == "notebook"')]


@_slow
def test_the_two_wheels_install_with_no_index_and_jupyterlab_lists_the_extension_enabled(installed):
    def run(*command):
        return _run(command, installed.env, installed.cwd)

    # The extra pulled the extension's wheel from the folder: no index was consulted.
    wheel = re.escape(f"symlab_jupyterlab-{_symlab_version()}-py3-none-any.whl")
    pulled = rf"Processing \S*{wheel} \(from symlab\[notebook\]"
    assert re.search(pulled, installed.install_output), installed.install_output
    assert "No broken requirements found" in run("python", "-m", "pip", "check")
    listing = re.sub(r"\x1b\[[0-9;]*m", "", run("jupyter", "labextension", "list"))  # no colours
    assert re.search(rf"{EXTENSION} v{re.escape(_symlab_version())} enabled\s+OK", listing), listing
    # Both packages come from the environment's site-packages, not from the checkout, and work.
    where = run("python", "-c",
                "import symlab, symlab.tensor as T, symlab_jupyterlab\n"
                "x = T.dvector('x')\n"
                "f = symlab.function([x], 2 * x + 1)\n"
                "print(f([1.0, 2.0]).tolist())\n"
                "print(symlab.__file__)\n"
                "print(symlab_jupyterlab.__file__)")
    values, *paths = where.splitlines()[:3]
    assert values == "[3.0, 5.0]"
    site = installed.venv / "lib"
    assert all(Path(path).is_relative_to(site) for path in paths), where
