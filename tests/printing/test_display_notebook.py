"""The rich display as a saved notebook keeps it: what the JupyterLab MIME renderer reads.

A notebook opened tomorrow, with no kernel, shows its symlab outputs from
the saved data alone (extension/src/mime/). These tests put the real
mimebundle into a notebook's output the way nbformat writes it, and check
that it validates, survives the round trip unchanged, is strict JSON, keeps
user-chosen names as plain text, and names the MIME type and format version
the extension reads.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function, shared
from symlab.printing.display import mimebundle
from symlab.printing.json_graph import FORMAT_VERSION, MIME_TYPE

nbformat = pytest.importorskip("nbformat")

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
HOSTILE = ['<img src=x onerror="window.__x=1">', 'a"]; b [URL="javascript:alert(1)"', "\\\""]


def _notebook_with(*bundles):
    nb = nbformat.v4.new_notebook()
    for i, bundle in enumerate(bundles, start=1):
        cell = nbformat.v4.new_code_cell(source=f"out{i}", execution_count=i)
        cell.outputs = [nbformat.v4.new_output("execute_result", data=bundle,
                                               execution_count=i)]
        nb.cells.append(cell)
    return nb


def _softplus():
    x = T.dvector("x")
    return function([x], T.log(1 + T.exp(x)))


def test_a_saved_output_validates_and_reads_back_unchanged():
    f = _softplus()
    bundles = [mimebundle(f), mimebundle(T.exp(T.dvector("v")))]
    nb = _notebook_with(*bundles)
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    back = nbformat.reads(text, as_version=4)
    nbformat.validate(back)
    for cell, bundle in zip(back.cells, bundles):
        data = cell.outputs[0]["data"]
        # A JSON MIME type is stored as JSON, not as a string.
        assert isinstance(data[MIME_TYPE], dict)
        assert json.loads(json.dumps(data[MIME_TYPE])) == bundle[MIME_TYPE]
        assert data["text/plain"] == bundle["text/plain"]


def test_the_payload_is_strict_json_with_nan_and_inf_values():
    w = shared(np.array([np.nan, np.inf, 1.0]), name="w")
    x = T.dvector("x")
    bundle = mimebundle(function([x], x * w + np.float64("nan")))
    text = json.dumps(bundle, allow_nan=False)
    values = [n["value"] for n in json.loads(text)[MIME_TYPE]["nodes"].values() if n["value"]]
    assert any("nan" in v and "inf" in v for v in values), values


def test_hostile_names_are_kept_as_plain_text():
    a, b, c = (T.dvector(name) for name in HOSTILE)
    bundle = mimebundle(function([a, b, c], a * b + c, name="<b>f</b>"))
    doc = bundle[MIME_TYPE]
    assert doc["name"] == "<b>f</b>"
    labels = {n["label"] for n in doc["nodes"].values() if n["kind"] == "input"}
    assert labels == set(HOSTILE)
    back = nbformat.reads(nbformat.writes(_notebook_with(bundle)), as_version=4)
    saved = back.cells[0].outputs[0]["data"][MIME_TYPE]
    assert {n["label"] for n in saved["nodes"].values() if n["kind"] == "input"} == set(HOSTILE)


def test_the_extension_reads_this_mime_type_and_version():
    payload = (EXTENSION / "src" / "mime" / "payload.ts").read_text()
    assert f"export const MIME_TYPE = '{MIME_TYPE}';" in payload
    model = (EXTENSION / "src" / "graph" / "model.ts").read_text()
    readable = re.search(r"READABLE_VERSIONS = \[([\d, ]+)\]", model)
    assert readable and FORMAT_VERSION in [int(v) for v in readable.group(1).split(",")]
    package = json.loads((EXTENSION / "package.json").read_text())
    assert package["jupyterlab"]["mimeExtension"] == "lib/mime/index.js"
    assert (EXTENSION / "src" / "mime" / "index.ts").is_file()
