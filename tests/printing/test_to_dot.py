"""to_dot: the DOT text of pydotprint's drawing, its escaping, and what dot makes of it."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, strategies as st

import symlab
import symlab.tensor as T
from symlab import function, shared
from symlab.printing import to_dot
from symlab.printing.dot import DEFAULT_COLOR_CODES, dot_string, escape_dot

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="the Graphviz program 'dot' is not installed")

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'a"b\\c\nd<script>alert(1)</script>{x}|&amp;\\N\\l\x07end "];z [URL="javascript:1'


def _unescape(body):
    """Read a DOT string's body back (the inverse of escape_dot, written independently)."""
    out, k = [], 0
    while k < len(body):
        if body[k] == "\\":
            nxt = body[k + 1]
            out.append({"n": "\n", "\\": "\\", '"': '"'}[nxt])
            k += 2
        elif body.startswith("&amp;", k):
            out.append("&")
            k += 5
        else:
            assert body[k] != '"', "an unescaped quote inside a DOT string"
            out.append(body[k])
            k += 1
    return "".join(out)


def test_escape_dot_by_hand():
    assert escape_dot('say "hi"') == 'say \\"hi\\"'
    assert escape_dot("a\\b") == "a\\\\b"
    assert escape_dot("\\N and \\l") == "\\\\N and \\\\l"
    assert escape_dot("one\ntwo\r\nthree\rfour") == "one\\ntwo\\nthree\\nfour"
    assert escape_dot("tab\there\x00\x1f\x7f!") == "tab here   !"
    assert escape_dot("a & b &amp;") == "a &amp; b &amp;amp;"
    assert escape_dot("<b>{x}|y</b>") == "<b>{x}|y</b>"
    assert dot_string('"') == '"\\""'


@given(st.text(max_size=40))
def test_escaped_text_reads_back_as_written(text):
    body = escape_dot(text)
    assert "\n" not in body and "\r" not in body
    expected = re.sub(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]", " ",
                      text.replace("\r\n", "\n").replace("\r", "\n"))
    assert _unescape(body) == expected


def _dot_attribute_values(text):
    """Every quoted attribute value of ``text``, read back."""
    return [_unescape(v) for v in re.findall(r'="((?:[^"\\]|\\.)*)"', text)]


def test_a_hostile_name_stays_inside_its_label():
    x = T.dvector(HOSTILE)
    text = to_dot(T.exp(x) * 2, var_with_name_simple=True, max_label_size=500)
    assert HOSTILE.replace("\x07", " ") in _dot_attribute_values(text)
    for line in text.splitlines()[1:-1]:     # one statement per line, our names only
        assert re.match(r'^  (subgraph |[av]\d+( -> [av]\d+)?( \[.*\])?;$)', line), line
    assert "URL=" not in text.replace('URL=\\"', "") and "href" not in text.lower()
    assert "tooltip" not in text


def test_statements_name_our_own_nodes_only():
    x = T.dvector("x")
    text = to_dot([T.exp(x) + 1, T.log(x)])
    names = set(re.findall(r"^  ([av]\d+)", text, re.M))
    assert names and all(re.fullmatch(r"[av]\d+", n) for n in names)


def _svg_of(text):
    done = subprocess.run(["dot", "-Tsvg"], input=text.encode(), capture_output=True)
    assert done.returncode == 0, done.stderr
    return ET.fromstring(done.stdout)


@needs_dot
def test_a_hostile_name_round_trips_through_dot():
    x = T.dvector(HOSTILE)
    y = T.dvector("plain")
    root = _svg_of(to_dot(T.exp(x) + y, var_with_name_simple=True, max_label_size=500))
    assert root.tag == f"{SVG}svg"
    labels = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            labels.append([t.text or "" for t in group.iter(f"{SVG}text")])
    shown = HOSTILE.replace("\x07", " ").split("\n")
    assert [line.strip() for line in shown] in [[t.strip() for t in label] for label in labels]
    assert ["plain"] in labels
    assert len(labels) == 5            # exp, add, the two inputs, the output
    for element in root.iter():
        assert not element.tag.endswith("script")
        assert not any("href" in key.lower() for key in element.attrib)


def test_compact_leaves_out_unnamed_intermediates():
    x = T.dvector("x")
    hidden = T.exp(x)
    named = T.log(x)
    named.name = "logx"
    out = hidden + named
    compact = to_dot(out)
    full = to_dot(out, compact=False)
    box = re.compile(r'v\d+ \[label="([^"]*)", shape="box"')
    assert box.findall(compact) == ["name=x TensorType(float64, (?,))",
                                    "name=logx TensorType(float64, (?,))",
                                    "TensorType(float64, (?,))"]
    assert len(box.findall(full)) == 4            # exp's result gets a box of its own
    # In the compact drawing the edge from exp to add carries exp's type.
    assert re.search(r'a0 -> a2 \[label="0 TensorType\(float64, \(\?,\)\)"\]', compact)


def test_labels_ids_and_simple_names():
    x = T.dvector("x")
    out = T.exp(x) + T.exp(x * 2)
    text = to_dot(out, with_ids=True, var_with_name_simple=True)
    ops = re.findall(r'^  a\d+ \[label="([^"]*)", shape="ellipse"', text, re.M)
    assert ops == ["exp id=0", "mul id=1", "exp id=2", "add id=3"]
    assert 'label="x", shape="box"' in text
    assert 'label="val=2 TensorType(int8, ())"' in text
    # Without with_ids, a repeated op text gets its position to tell them apart.
    ops = re.findall(r'^  a\d+ \[label="([^"]*)"', to_dot(out), re.M)
    assert ops == ["exp", "mul", "exp id=2", "add"]


def test_long_labels_are_cut():
    x = T.dvector("x" * 200)
    text = to_dot(T.exp(x), max_label_size=20)
    assert 'label="name=xxxxxxxxxxxx..."' in text
    with pytest.raises(ValueError, match="max_label_size"):
        to_dot(T.exp(x), max_label_size=2)


def test_colors_follow_theano_s_codes_and_high_contrast():
    x = T.dvector("x")
    w = shared(np.zeros(3), name="w")
    out = T.exp(x) + w
    filled = to_dot(out)
    assert 'label="exp", shape="ellipse", style="filled", fillcolor="#FFAABB"' in filled
    assert 'shape="box", style="filled", fillcolor="green"' in filled      # input
    assert 'shape="box", style="filled", fillcolor="cyan"' in filled       # shared
    assert 'shape="box", style="filled", fillcolor="blue"' in filled       # output
    border = to_dot(out, high_contrast=False)
    assert 'label="exp", shape="ellipse", color="#FFAABB"' in border and "filled" not in border
    custom = to_dot(out, color_codes={"Elemwise": 'red"]; evil [x="'})
    assert 'fillcolor="red\\"]; evil [x=\\""' in custom
    assert DEFAULT_COLOR_CODES["Output"] == "blue"


def test_an_unused_output_is_grey_and_multiple_outputs_are_numbered():
    x = T.dvector("x")
    (first, second), _ = symlab.scan(lambda v: [T.exp(v), T.log(v)], sequences=x)
    text = to_dot(first)
    node = re.search(r'^  (a\d+) \[label="scan', text, re.M).group(1)
    outs = re.findall(rf'^  {node} -> (v\d+) \[label="(\d)"\];', text, re.M)
    assert [k for _, k in outs] == ["0", "1"]
    fills = dict(re.findall(r'^  (v\d+) \[.*fillcolor="(\w+)"', text, re.M))
    assert [fills[v] for v, _ in outs] == ["blue", "grey"]      # output, unused


def test_a_compiled_function_draws_its_updates():
    state = shared(np.float64(0), name="state")
    inc = T.dscalar("inc")
    f = function([inc], state * 2, updates=[(state, state + inc)], mode="NO_REWRITES")
    text = to_dot(f)
    names = dict(re.findall(r'^  (v\d+) \[label="([^"]*)"', text, re.M))
    shared_name = [k for k, v in names.items() if v.startswith("name=state")][0]
    update_name = [k for k, v in names.items() if v == "state TensorType(float64, ())"][0]
    assert f'{shared_name} -> {update_name} [label="UPDATE", color="blue"]' in text


def test_cond_highlight_clusters_the_branches():
    from symlab.ifelse import ifelse
    a, b = T.dscalars("a", "b")
    out = ifelse(a > b, T.exp(a), T.log(b))
    text = to_dot(out, cond_highlight=out.owner)
    assert "subgraph cluster_Left {" in text and "subgraph cluster_Right {" in text
    with pytest.warns(UserWarning, match="names no ifelse"):
        to_dot(T.exp(a), cond_highlight="nothing")


def test_scan_nodes_are_yellow():
    x = T.dvector("x")
    r, _ = symlab.scan(lambda v, h: T.tanh(v + h), sequences=x,
                       outputs_info=T.constant(np.float64(0)))
    assert 'fillcolor="yellow"' in to_dot(r)


def test_an_apply_node_stands_for_its_outputs():
    x = T.dvector("x")
    out = T.exp(x) + 1
    assert to_dot(out.owner) == to_dot(out)
    with pytest.raises(TypeError, match="to_dot: expected a variable.*got int"):
        to_dot(42)
