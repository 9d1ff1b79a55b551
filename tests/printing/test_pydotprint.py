"""pydotprint: image files drawn by Graphviz's dot, Theano's parameters, a missing dot."""

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function, shared
from symlab.printing import pydotprint
from symlab.printing.render import GraphvizNotFound, render_dot

pytestmark = pytest.mark.skipif(shutil.which("dot") is None,
                                reason="the Graphviz program 'dot' is not installed")

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _logistic():
    """The logistic regression of Theano's printing tutorial, small."""
    rng = np.random.RandomState(0)
    x, y = T.dmatrix("x"), T.dvector("y")
    w = shared(rng.randn(5), name="w")
    b = shared(0.0, name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = T.grad(cost, [w, b])
    train = function([x, y], [prediction, xent], name="train",
                     updates=[(w, w - 0.1 * gw), (b, b - 0.1 * gb)])
    return prediction, train


def _svg_texts(path):
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return [t.text for t in root.iter(f"{SVG}text")]


def test_png_svg_and_pdf_files(tmp_path, capsys):
    prediction, train = _logistic()
    pydotprint(prediction, outfile=str(tmp_path / "pred.png"), var_with_name_simple=True)
    assert capsys.readouterr().out == f"The output file is available at {tmp_path / 'pred.png'}\n"
    assert (tmp_path / "pred.png").read_bytes().startswith(PNG_SIGNATURE)
    pydotprint(train, outfile=tmp_path / "train.svg", format="svg", print_output_file=False)
    texts = _svg_texts(tmp_path / "train.svg")
    assert "name=x TensorType(float64, (?, ?))" in texts and "UPDATE" in texts
    assert capsys.readouterr().out == ""
    pydotprint(train, outfile=str(tmp_path / "train.pdf"), format="pdf")
    data = (tmp_path / "train.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:]


def test_the_extension_is_added_and_the_default_file_is_in_the_current_directory(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x = T.dvector("x")
    pydotprint(T.exp(x), outfile="graph", format="svg", print_output_file=False)
    assert (tmp_path / "graph.svg").is_file()
    pydotprint(T.exp(x), print_output_file=False)
    assert (tmp_path / "symlab_pydotprint.png").read_bytes().startswith(PNG_SIGNATURE)
    pydotprint(T.exp(x), format="png:cairo", print_output_file=False)
    assert (tmp_path / "symlab_pydotprint.png").is_file()


def test_return_image_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x = T.dvector("x")
    svg = pydotprint(x * 2, return_image=True, format="svg")
    assert ET.fromstring(svg).tag == f"{SVG}svg"
    assert pydotprint(x * 2, return_image=True).startswith(PNG_SIGNATURE)
    assert list(tmp_path.iterdir()) == []


def test_an_apply_node_and_a_function_graph_are_drawn(tmp_path):
    x = T.dvector("x")
    node = (T.exp(x) + 1).owner
    pydotprint(node, outfile=str(tmp_path / "node.svg"), format="svg", print_output_file=False)
    assert "add" in _svg_texts(tmp_path / "node.svg")
    fgraph = symlab.graph.fgraph.FunctionGraph([x], [T.log(x)])
    pydotprint(fgraph, outfile=str(tmp_path / "fg.svg"), format="svg", print_output_file=False)
    assert "log" in _svg_texts(tmp_path / "fg.svg")


def test_a_hostile_name_gives_a_file_that_opens(tmp_path):
    name = 'x"];\n<script>alert(1)</script>\\N{}|&lt;'
    x = T.dvector(name)
    pydotprint(T.exp(x), outfile=str(tmp_path / "h.svg"), format="svg",
               var_with_name_simple=True, print_output_file=False)
    texts = _svg_texts(tmp_path / "h.svg")
    assert 'x"];' in texts and "<script>alert(1)</script>\\N{}|&lt;" in texts
    pydotprint(T.exp(x), outfile=str(tmp_path / "h.png"), print_output_file=False)
    assert (tmp_path / "h.png").read_bytes().startswith(PNG_SIGNATURE)


def test_scan_graphs_writes_each_inner_graph_to_a_file(tmp_path):
    x = T.dvector("x")
    r, _ = symlab.scan(lambda v, h: T.tanh(v + h), sequences=x,
                       outputs_info=T.constant(np.float64(0)), name="../../loop")
    f = function([x], r)
    out = tmp_path / "fn.svg"
    pydotprint(f, outfile=str(out), format="svg", scan_graphs=True, print_output_file=False)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert "fn.svg" in files and len(files) == 2
    inner = [p for p in files if p != "fn.svg"][0]
    assert inner.startswith("fn_scan") and inner.endswith(".svg") and "/" not in inner
    assert any("tanh" in text for text in _svg_texts(tmp_path / inner))
    # Theano's name: <base>_<op name>_<position of the scan in the execution order><ext>
    position = [k for k, n in enumerate(f.fgraph.toposort()) if "scan" in str(n.op)][0]
    assert inner.endswith(f"_{position}.svg")
    pydotprint(f, outfile=str(tmp_path / "only.svg"), format="svg", print_output_file=False)
    assert len(list(tmp_path.iterdir())) == 3


def test_an_unknown_format_is_dot_s_error(tmp_path):
    x = T.dvector("x")
    with pytest.raises(ValueError, match="not recognized"):
        pydotprint(x * 2, outfile=str(tmp_path / "a"), format="nosuchformat")
    with pytest.raises(ValueError, match="format must be"):
        pydotprint(x * 2, outfile=str(tmp_path / "a"), format="-o/etc/passwd")
    assert list(tmp_path.iterdir()) == []


def test_without_dot_the_error_names_the_program(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    x = T.dvector("x")
    with pytest.raises(GraphvizNotFound, match="'dot' is not on PATH") as info:
        pydotprint(x * 2, outfile=str(tmp_path / "a.png"))
    assert isinstance(info.value, RuntimeError) and "Graphviz" in str(info.value)
    assert not (tmp_path / "a.png").exists()
    with pytest.raises(GraphvizNotFound):
        render_dot("digraph G {}", "svg")
    # The rich display leaves the SVG out instead of failing.
    assert "image/svg+xml" not in T.exp(x)._repr_mimebundle_(include=["image/svg+xml"])


def test_without_dot_in_a_fresh_process(tmp_path):
    script = ("import symlab.tensor as T\n"
              "from symlab.printing import pydotprint\n"
              "try:\n"
              "    pydotprint(T.exp(T.dvector('x')), outfile='a.png')\n"
              "except RuntimeError as e:\n"
              "    print('ERROR', e)\n")
    env = dict(os.environ, PATH=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120,
                          )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ERROR the Graphviz program 'dot' is not on PATH")
    assert not (tmp_path / "a.png").exists()


def test_the_rich_display_gives_svg_on_request():
    x = T.dvector("x")
    bundle = T.exp(x)._repr_mimebundle_(include=["image/svg+xml"])
    assert list(bundle) == ["image/svg+xml"]
    assert "exp" in [t.text for t in ET.fromstring(bundle["image/svg+xml"]).iter(f"{SVG}text")]
    assert "image/svg+xml" not in T.exp(x)._repr_mimebundle_()


def test_without_the_graphviz_package_a_subprocess_draws_the_same(monkeypatch):
    text = "digraph G {\n  a0 [label=\"exp\"];\n  v0 [label=\"x\"];\n  v0 -> a0;\n}\n"
    with_package = render_dot(text, "svg")
    monkeypatch.setitem(sys.modules, "graphviz", None)      # import graphviz fails
    assert render_dot(text, "svg") == with_package
    assert render_dot(text, "pdf").startswith(b"%PDF")
    with pytest.raises(ValueError, match="not recognized"):
        render_dot(text, "nosuchformat")
