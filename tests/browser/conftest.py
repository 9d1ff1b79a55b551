"""Fixtures of the browser tests: one real JupyterLab, one real headless Chromium.

``lab`` starts ``jupyter lab`` (from this venv, so with the ``symlab-jupyterlab``
extension that ``dev/setup`` installs) on a free loopback port with a random
token and temporary root, workspace, settings and runtime folders, and stops
it by its own process id at the end of the session. ``browser`` launches
Debian's ``/usr/bin/chromium`` through Playwright's Python API (never
``playwright install``); the tests skip, with that reason, only when that
binary is missing. ``screenshot_dir`` is a temporary folder outside the
repository; every screenshot's path is printed (run with ``-s`` to see them).

See ../../../shared/JUPYTER-RECIPE.md (sections 3 and 7) for the flags,
selectors and waits used here, and why.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from page import PANEL

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
IDLE = f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']"
#: Playwright's default wait for the selectors and functions of these tests, in ms.
TIMEOUT_MS = 60_000

#: What a failing test reports: the open notebook pages, the screenshot folder, the lab's log.
_OPEN = {"pages": [], "shots": None, "log": None}


def pytest_collection_modifyitems(items):
    """Every test of this folder carries the ``browser`` marker."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure here: a screenshot of each open page, and the tail of the lab's log."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or not _OPEN["pages"]:
        return
    lines = []
    for i, nb in enumerate(_OPEN["pages"]):
        path = Path(_OPEN["shots"] or tempfile.gettempdir()) / f"FAILED-{item.name}-{i}.png"
        try:
            nb.page.screenshot(path=str(path))
            lines.append(f"screenshot: {path}")
        except Exception as exc:  # the page may be gone; the report matters more
            lines.append(f"no screenshot ({exc})")
    if _OPEN["log"]:
        lines.append(f"JupyterLab log ({_OPEN['log']}), last lines:\n{_tail(_OPEN['log'])}")
    report.sections.append(("browser", "\n".join(lines)))


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Lab:
    """A running JupyterLab: ``base`` URL, ``token``, ``root`` folder, ``log`` file."""

    def __init__(self, base, token, root, log, env):
        self.base, self.token, self.root, self.log, self.env = base, token, root, log, env

    def url(self, path):
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"

    def write_notebook(self, name, cells):
        """Write ``name`` into the lab's root: one code cell per source string."""
        nb = {
            "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}",
                       "metadata": {}, "outputs": [], "source": src}
                      for i, src in enumerate(cells)],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5,
        }
        (self.root / name).write_text(json.dumps(nb, indent=1))
        return name


@pytest.fixture(scope="session")
def chromium_path():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (dev/setup installs it: apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def lab(chromium_path, tmp_path_factory):
    """A JupyterLab server of this venv, on a free loopback port, in temporary folders."""
    root = tmp_path_factory.mktemp("lab-root")
    state = tmp_path_factory.mktemp("lab-state")
    settings = state / "settings"
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    # No "get notified about news?" toast (recipe section 7, pitfall 2).
    (notification / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    # Every cell in the DOM, scrolled or not: the tests read outputs anywhere in the notebook.
    tracker = settings / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    # Saving a notebook keeps its widgets' state (what a user sets to share a notebook).
    manager = settings / "@jupyter-widgets" / "jupyterlab-manager"
    manager.mkdir(parents=True)
    (manager / "plugin.jupyterlab-settings").write_text('{"saveState": true}')
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ,
               JUPYTER_RUNTIME_DIR=str(state / "runtime"),
               JUPYTER_CONFIG_DIR=str(state / "config"),
               # Its own data folder: notebooks trusted by a test are signed there, not in ~.
               JUPYTER_DATA_DIR=str(state / "data"),
               IPYTHONDIR=str(state / "ipython"))
    cmd = [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser",
           f"--port={port}", "--ip=127.0.0.1", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
           # The same server serves Notebook 7 (/notebooks/...), with the same extensions.
           "--JupyterNotebookApp.expose_app_in_browser=True",
           f"--LabApp.workspaces_dir={state / 'workspaces'}",
           f"--LabApp.user_settings_dir={settings}"]
    log = state / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"jupyter lab did not answer within 60 s:\n{_tail(log)}")
            time.sleep(0.25)
    _OPEN["log"] = log
    print(f"\n[browser] JupyterLab pid {proc.pid} at {base} (root {root}, log {log})")
    try:
        yield Lab(base, token, root, log, env)
    finally:
        # SIGTERM: the server shuts its kernels down and exits.
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


#: Seconds that closing the browser (or a page's context) may take before its processes are
#: killed: a page stuck in a busy loop keeps Chromium from closing it at all.
CLOSE_PATIENCE_S = 30


def _chromium_descendants():
    """Pids of the Chromium processes started (through Playwright) by this test process."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    mine, found = {os.getpid()}, []
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                changed = True
    for pid in mine - {os.getpid()}:
        try:
            if "chromium" in (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(
                    errors="replace"):
                found.append(pid)
        except OSError:
            continue
    return found


class _CloseWatchdog:
    """``with _CloseWatchdog(what):`` kills this run's Chromium processes if the block
    takes longer than CLOSE_PATIENCE_S (and says so), so a stuck page cannot hang the run."""

    def __init__(self, what):
        self.what = what
        self.timer = threading.Timer(CLOSE_PATIENCE_S, self._kill)
        self.timer.daemon = True

    def _kill(self):
        pids = _chromium_descendants()
        print(f"\n[browser] {self.what} took over {CLOSE_PATIENCE_S} s: killing Chromium "
              f"({len(pids)} processes)", flush=True)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def __enter__(self):
        self.timer.start()
        return self

    def __exit__(self, *exc):
        self.timer.cancel()
        return False


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # a dev dependency: dev/setup installs it
        raise RuntimeError("the browser tests need the `playwright` Python package "
                           "(the dev extra: run dev/setup)") from exc
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            with _CloseWatchdog("closing the browser"):
                try:
                    b.close()
                except Exception as exc:  # killed by the watchdog: the run goes on
                    print(f"\n[browser] the browser did not close cleanly: {exc}")


@pytest.fixture(scope="session")
def screenshot_dir():
    path = Path(os.environ.get("SYMLAB_SCREENSHOT_DIR")
                or tempfile.mkdtemp(prefix="symlab-browser-shots-"))
    path.mkdir(parents=True, exist_ok=True)
    _OPEN["shots"] = path
    return path


@pytest.fixture(scope="session")
def shoot(screenshot_dir):
    """``shoot(target, name)``: a screenshot of a page or a locator, its path printed."""

    def shoot(target, name, **kwargs):
        path = screenshot_dir / f"{name}.png"
        target.screenshot(path=str(path), **kwargs)
        print(f"\n[browser] screenshot: {path}")
        return path

    return shoot


#: Where each front end of the server opens a notebook.
APPS = {"lab": "/lab/tree/{name}?reset", "notebook": "/notebooks/{name}"}

#: True once the current notebook's kernel is idle (both front ends expose their app).
KERNEL_IDLE = """nb => { const w = window.jupyterapp.shell.currentWidget;
    return w && w.context && w.context.path === nb && w.sessionContext.session
      && w.sessionContext.session.kernel
      && w.sessionContext.session.kernel.status === 'idle'; }"""


class NotebookPage:
    """A notebook open in a Chromium page, with helpers for the tests.

    ``app`` is ``"lab"`` (JupyterLab) or ``"notebook"`` (Notebook 7, whose
    toolbar has no execution indicator: its kernel is watched through the app).
    """

    def __init__(self, page, lab, name, app="lab"):
        self.page, self.lab, self.name, self.app = page, lab, name, app
        self.page_errors = []
        self.console_errors = []
        # The stack says whose code threw: it names the bundle's URL.
        page.on("pageerror", lambda exc: self.page_errors.append(
            f"{exc}\n{getattr(exc, 'stack', None) or ''}"))
        page.on("console", lambda msg: msg.type == "error"
                and self.console_errors.append(msg.text))

    def open(self):
        pg = self.page
        # ?reset: no restored tabs from an older workspace (recipe section 7, pitfall 1).
        pg.goto(self.lab.url(APPS[self.app].format(name=self.name)))
        pg.wait_for_function("() => window.jupyterapp !== undefined")
        pg.evaluate("() => window.jupyterapp.restored.then(() => true)")
        self.wait_idle()
        pg.click(f"{PANEL} .jp-CodeCell .jp-InputArea-editor")
        pg.keyboard.press("Escape")
        pg.wait_for_function(KERNEL_IDLE, arg=self.name)

    def wait_idle(self):
        """Wait until the kernel is idle, as the page shows it."""
        if self.app == "lab":
            self.page.wait_for_selector(IDLE)
        else:
            self.page.wait_for_function(KERNEL_IDLE, arg=self.name)

    def run_all(self):
        # Fired, not awaited (recipe section 7, pitfall 3).
        self.page.evaluate(
            "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        self.wait_all_prompts()

    def wait_all_prompts(self):
        """Wait until every code cell has run (its prompt holds a number) and the kernel is idle."""
        self.page.wait_for_function(
            f"""() => {{ const p = [...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputPrompt')];
                return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }}""")
        self.wait_idle()

    def cell(self, index):
        return self.page.locator(f"{PANEL} .jp-CodeCell").nth(index)

    def cell_count(self):
        return self.page.locator(f"{PANEL} .jp-CodeCell").count()

    def run_new_cell(self, code):
        """Append a code cell holding ``code`` at the end, run it, wait for it; its index."""
        index = self.page.evaluate(
            """async code => {
                const app = window.jupyterapp, nb = app.shell.currentWidget.content;
                nb.activeCellIndex = nb.widgets.length - 1;
                await app.commands.execute('notebook:insert-cell-below');
                nb.activeCell.model.sharedModel.setSource(code);
                return nb.activeCellIndex; }""", code)
        self.page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-cell'); }")
        self.wait_all_prompts()
        return index

    def output_text(self, index):
        return self.cell(index).locator(".jp-OutputArea-output").all_inner_texts()


@pytest.fixture(scope="session")
def new_notebook_page(lab, browser, screenshot_dir):
    """``new_notebook_page(name, cells, app="lab")``: write the notebook (unless ``cells``
    is None: open the file as it is), open it in a new page of JupyterLab or Notebook 7."""
    contexts = []

    def make(name, cells, app="lab"):
        if cells is not None:
            lab.write_notebook(name, cells)
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        nb = NotebookPage(context.new_page(), lab, name, app)
        _OPEN["pages"].append(nb)
        nb.open()
        return nb

    yield make
    _OPEN["pages"].clear()
    with _CloseWatchdog("closing the notebook pages"):
        for context in contexts:
            try:
                context.close()
            except Exception as exc:  # killed by the watchdog: the run goes on
                print(f"\n[browser] a page did not close cleanly: {exc}")
                break
