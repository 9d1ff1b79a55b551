"""Reading and waiting on the page: helpers shared by the browser tests.

Every reader goes through Playwright locators, so it sees the page as it is
now; every wait polls, with a deadline and a message naming what it waited for.
"""

import json
import time
import urllib.request

#: The visible notebook panel (restored or hidden panels are left out).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


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


def javascript_links(page):
    """Every attribute of the page that would follow a ``javascript:`` address."""
    return page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
              .filter(a => /^(href|xlink:href|src|action|formaction)$/i.test(a.name)
                           && /javascript:/i.test(a.value))
              .map(a => e.tagName + ' ' + a.name + '=' + a.value))""")


def check_names_stay_text(page, view, names, forbidden="img, a, script, foreignObject, iframe"):
    """The hostile ``names`` of ``view``'s graph show as text and make no live element.

    ``names[0]`` must be an input's name holding ``onerror``: its details are opened.
    """
    assert page.evaluate("() => typeof window.__x") == "undefined"
    assert view.locator(forbidden).count() == 0
    assert page.locator("img[onerror], img[src='x']").count() == 0
    assert javascript_links(page) == []
    # Long names may not fit at 11 px: the first view hides the boxes its edge would cut,
    # and "whole graph" shows them all.
    view.locator(".symlab-zoom-reset").click()
    for side in ("before", "after"):
        drawn = labels(view.locator(f".symlab-graph-{side}"))
        for name in names:
            assert name in drawn, (side, name, drawn)
    # The details of a node show the name as text too.
    node = view.locator(".symlab-graph-before g.node.symlab-kind-input").filter(
        has_text="onerror").first
    node.click()
    details = view.locator(".symlab-node-details")
    details.wait_for()
    assert details.locator("dd.symlab-detail-name").inner_text() == names[0]
    assert view.locator("img").count() == 0
    assert page.evaluate("() => typeof window.__x") == "undefined"
