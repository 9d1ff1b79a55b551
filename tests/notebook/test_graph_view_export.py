"""GraphView's export from Python: a panel's graph at the current step as DOT, SVG or an image
file, drawn by Graphviz's ``dot`` from ``symlab.printing.to_dot`` (no second DOT writer)."""

import shutil
import xml.etree.ElementTree as ET

import pytest

import symlab
import symlab.tensor as T
from symlab.notebook import GraphView

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not on PATH")

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(text):
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return {t.text for t in root.iter(f"{SVG}text") if t.text}


def op_texts(fgraph):
    return {str(node.op) for node in fgraph.apply_nodes}


@pytest.fixture
def function():
    x = T.dvector("x")
    w = symlab.shared(1.5, name="w")
    y = T.log(1 + T.exp(x)) * 2 + T.sin(x) * w
    return symlab.function([x], y, updates=[(w, w * 0.5)], name="f")


@needs_dot
def test_to_svg_draws_each_panel_at_the_current_step(function):
    f = function
    view = GraphView(f)
    n = len(f.trace)
    assert n >= 2
    # Step 0: the original graph beside the optimized one.
    assert op_texts(f.graph_before) <= svg_texts(view.to_svg("before"))
    after = svg_texts(view.to_svg("after"))
    assert op_texts(f.fgraph) <= after
    assert any("w" in t for t in after), "the compiled function's drawing names its update"
    # Step k: the graph before event k beside the graph after it.
    for k in (1, n):
        view.step = k
        assert op_texts(f.graph_at(k - 1)) <= svg_texts(view.to_svg("before")), k
        assert op_texts(f.graph_at(k)) <= svg_texts(view.to_svg("after")), k


@needs_dot
def test_save_writes_the_format_its_suffix_names(function, tmp_path):
    view = GraphView(function)
    png = view.save(tmp_path / "after.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = view.save(tmp_path / "before.svg", side="before")
    assert op_texts(function.graph_before) <= svg_texts(svg.read_text())
    raw = view.save(tmp_path / "picture", format="svg")
    assert svg_texts(raw.read_text())
    with pytest.raises(ValueError, match="has no suffix"):
        view.save(tmp_path / "picture")


@needs_dot
def test_an_expression_exports_its_optimized_graph():
    x = T.dvector("x")
    view = GraphView(T.exp(x) * 1)
    assert "exp" in svg_texts(view.to_svg())
    assert "mul" in " ".join(svg_texts(view.to_svg("before")))


def test_a_panel_side_is_before_or_after(function):
    view = GraphView(function)
    with pytest.raises(ValueError, match="side must be one of before, after; got 'left'"):
        view.to_dot("left")
    assert view.to_dot("before").startswith("digraph")
