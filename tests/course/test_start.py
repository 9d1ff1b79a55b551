"""``./dev/start --lab`` serves JupyterLab on the course with no browser, trusting it first.

The server is started as the README says, on a free port and with its own Jupyter data
folder; the test waits for the URL it prints (with the token it made up), asks the server
for the course folder over its REST API with that token, checks that the lessons are
trusted, and stops the server by its process group.
"""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbformat.sign import NotebookNotary

ROOT = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _json_when_listening(request, patience_s=60):
    """The JSON answer to ``request``, retried while the server does not accept connections yet."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            return json.load(urllib.request.urlopen(request, timeout=30))
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.timeout(300)
def test_dev_start_lab_serves_the_trusted_course_without_a_browser(tmp_path):
    port = _free_port()
    env = {**os.environ, "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "BROWSER": "false"}
    env.pop("CI", None)   # --lab serves even where CI would run the demo
    server = subprocess.Popen(
        ["bash", "dev/start", "--lab", f"--port={port}", "--ServerApp.port_retries=0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    url = re.compile(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)")
    try:
        printed, found = [], None
        deadline = time.monotonic() + 240
        while found is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            printed.append(line)
            found = url.search(line)
        output = "".join(printed)
        assert found, output
        token = found.group(1)
        assert "without a browser" in output
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/contents/",
                                         headers={"Authorization": f"token {token}"})
        listing = _json_when_listening(request)
        names = {item["name"] for item in listing["content"]}
        assert "01-symbolic-basics.ipynb" in names and "zh" in names
        notary = NotebookNotary(data_dir=str(tmp_path / "data"))
        for path in [ROOT / "notebooks" / "01-symbolic-basics.ipynb",
                     ROOT / "notebooks" / "zh" / "04-inside-the-optimizer.ipynb"]:
            assert notary.check_signature(nbformat.read(path, as_version=4)), path
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
