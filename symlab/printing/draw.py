"""``pydotprint``: Theano's picture of a graph, written to an image file by Graphviz.

The DOT text comes from ``to_dot`` (``symlab/printing/dot.py``, the one DOT
writer) and is drawn by the ``dot`` program (``render.py``). Theano wrote
its default file under its compile directory; symlab writes
``symlab_pydotprint.<format>`` in the current directory.
"""

import os
import re

from symlab.printing.dot import to_dot
from symlab.printing.render import render_dot

__all__ = ["pydotprint", "default_outfile", "inner_graph_files"]

#: Characters an op's name may bring into a file name; the others become ``_``.
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def default_outfile(format="png"):
    """The file ``pydotprint`` writes when given none: ``symlab_pydotprint.<format>``."""
    return f"symlab_pydotprint.{_extension(format)}"


def _extension(format):
    return str(format).split(":", 1)[0]      # 'png:cairo' is written to a .png file


def _safe(text):
    return _UNSAFE_IN_FILE_NAME.sub("_", str(text)).lstrip(".") or "_"


def _scan_nodes(obj):
    """``(position, node)`` of the nodes of ``obj``'s graph holding inner graphs."""
    from symlab.printing.debugprint import graph_of
    from symlab.graph.traversal import toposort
    outputs, order, _ = graph_of(obj)
    nodes = sorted(order, key=order.get) if order is not None else toposort(outputs)
    return [(k, node) for k, node in enumerate(nodes)
            if callable(getattr(node.op, "inner_graphs", None))]


def inner_graph_files(obj, outfile):
    """``[(inner graph, file name), ...]`` for the nodes of ``obj`` holding inner graphs.

    As Theano's ``scan_graphs``: ``<base>_<op name>_<position><ext>`` beside
    ``outfile``, the position being the node's in the execution order (what
    ``with_ids`` prints); a node with several inner graphs (an ifelse) adds
    ``_<role>`` (``then``, ``else``). Characters of the op's name other than
    letters, digits, ``_``, ``.`` and ``-`` become ``_``, so a name cannot
    leave the directory.
    """
    path, file_name = os.path.split(outfile)
    base, ext = os.path.splitext(file_name)
    found = []
    for position, node in _scan_nodes(obj):
        graphs = node.op.inner_graphs()
        for graph in graphs:
            role = f"_{_safe(graph.role)}" if len(graphs) > 1 else ""
            name = f"{base}_{_safe(node.op)}_{position}{role}{ext}"
            found.append((graph, os.path.join(path, name)))
    return found


def pydotprint(fct, outfile=None, compact=True, format="png", with_ids=False,
               high_contrast=True, cond_highlight=None, colorCodes=None,
               max_label_size=70, scan_graphs=False, var_with_name_simple=False,
               print_output_file=True, return_image=False):
    """Draw the graph of ``fct`` with Graphviz's ``dot`` into ``outfile``; Theano's signature.

    ``fct``: a compiled function (its optimized graph, updates included), a
    variable, a list of variables, an Apply node or a FunctionGraph.
    ``outfile``: the file to write (``.<format>`` is appended when it does not
    end so); None writes ``symlab_pydotprint.<format>`` in the current
    directory. ``format``: 'png', 'svg', 'pdf' or any format ``dot -T`` knows.
    ``compact``, ``with_ids``, ``high_contrast``, ``cond_highlight``,
    ``colorCodes``, ``max_label_size``, ``var_with_name_simple``: how the
    graph is drawn (see ``to_dot``). ``scan_graphs``: also draw each scan's
    (and ifelse's) inner graphs, each into a file of its own named as
    ``inner_graph_files`` says. ``print_output_file``: print where the file
    is. ``return_image``: write nothing and return the image's bytes instead.

    Returns None (or the bytes, with ``return_image``). Raises
    ``GraphvizNotFound`` (a RuntimeError) naming the ``dot`` program when it
    is not on ``PATH``; nothing is written then.
    """
    options = dict(compact=compact, with_ids=with_ids, high_contrast=high_contrast,
                   var_with_name_simple=var_with_name_simple, max_label_size=max_label_size,
                   color_codes=colorCodes)
    purpose = f"write pydotprint's {format!r} image"
    if return_image:
        return render_dot(to_dot(fct, cond_highlight=cond_highlight, **options), format,
                          purpose)
    if outfile is None:
        outfile = default_outfile(format)
    outfile = os.fspath(outfile)
    if not outfile.endswith("." + _extension(format)):
        outfile += "." + _extension(format)
    # Every image is drawn before any is written: a failure leaves no file behind.
    todo, images = [(fct, outfile, cond_highlight)], []
    while todo:
        item, name, highlight = todo.pop(0)
        images.append((name, render_dot(to_dot(item, cond_highlight=highlight, **options),
                                        format, purpose)))
        if scan_graphs:
            todo += [(inner, inner_name, None)
                     for inner, inner_name in inner_graph_files(item, name)]
    for name, data in images:
        with open(name, "wb") as stream:
            stream.write(data)
    if print_output_file:
        print("The output file is available at", outfile)
