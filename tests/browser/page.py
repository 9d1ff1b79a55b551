"""Reading and waiting on the page: helpers shared by the browser tests.

Every reader goes through Playwright locators, so it sees the page as it is
now; every wait polls, with a deadline and a message naming what it waited for.
"""

import json
import time
import urllib.request


def wait_until(what, condition, timeout=60):
    """Poll ``condition()`` until it is true; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def labels(panel):
    """The texts of the node boxes Graphviz drew in one panel."""
    return panel.locator("svg.symlab-graph-svg g.node text").all_text_contents()


def node_ids(panel, cls):
    """The ``data-node-id`` of every drawn node of ``panel`` with the class ``cls``."""
    return {int(i) for i in panel.locator(f"g.node.{cls}").evaluate_all(
        "els => els.map(e => e.getAttribute('data-node-id'))")}


def wait_step(view, step):
    """Wait until the graph view shows step ``step``."""
    wait_until(f"step {step}", lambda: view.get_attribute("data-step") == str(step))


def api(lab, path):
    """GET a JupyterLab REST path (with the lab's token); the decoded JSON."""
    with urllib.request.urlopen(lab.url(path), timeout=10) as response:
        return json.loads(response.read())
