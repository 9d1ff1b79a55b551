"""``to_dot``: a graph as DOT text (Graphviz's language), drawn as Theano's ``pydotprint``.

The one DOT writer on the Python side: ``pydotprint`` renders its text with
the ``dot`` program, and the rich display's ``image/svg+xml`` does too. The
front end (``extension/src/graph/dot.ts``) writes its own DOT from the JSON
document for viz.js, with the same escaping.

The drawing follows ``pydotprint``: Apply nodes are ellipses labelled with
their op, variables are boxes. Graph inputs are green boxes (shared
variables cyan), outputs blue, outputs nobody reads grey. An edge into a
node with several inputs is labelled with the input's position; an edge
whose input the op returns a view of is blue, one it overwrites red. With
``compact=True`` an unnamed intermediate variable is no box of its own: the
edge from the node computing it carries its type instead. A compiled
function's updates are drawn as an ``UPDATE`` edge from the shared variable
to the value it receives.

Safety: Graphviz node names are our own (``a<k>`` for Apply nodes, ``v<k>``
for variables, ``k`` a counter); every text (labels, op texts, values, type
texts, colours) goes only into a double-quoted attribute after
``escape_dot``; no ``URL``, ``href``, ``tooltip`` or ``id`` attribute is
ever written.
"""

import numpy as np

from symlab.graph.basic import Constant
from symlab.graph.traversal import toposort
from symlab.printing.debugprint import graph_of, update_targets

__all__ = ["to_dot", "escape_dot", "dot_string", "DEFAULT_COLOR_CODES"]

#: Fill (or border) colour of an Apply node whose op's class name contains the key; the
#: last matching key wins. ``Output`` is the colour of outputs and update edges.
DEFAULT_COLOR_CODES = {
    "Scan": "yellow",
    "Shape": "brown",
    "IfElse": "magenta",
    "Elemwise": "#FFAABB",
    "Subtensor": "#FFAAFF",
    "Alloc": "#FFAA22",
    "Output": "blue",
}

_INPUT_COLOR, _SHARED_COLOR, _UNUSED_COLOR = "green", "cyan", "grey"


def escape_dot(text):
    """Escape ``text`` for a double-quoted DOT string, so that it shows exactly as given.

    Backslashes and quotes are escaped (which also disarms Graphviz's
    ``\\N``, ``\\G``, ``\\l`` escapes), ``&`` becomes ``&amp;`` (Graphviz
    decodes entities in labels), line breaks become ``\\n`` and other control
    characters spaces: the rules of the extension's ``escapeDotString``.
    """
    out = []
    for ch in str(text).replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "&":
            out.append("&amp;")
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def dot_string(text):
    """``"..."``: ``text`` as a quoted, escaped DOT string."""
    return f'"{escape_dot(text)}"'


def _attributes(**attrs):
    """`` [key="value", ...]`` (every value quoted and escaped), or '' for none."""
    parts = [f"{key}={dot_string(value)}" for key, value in attrs.items() if value is not None]
    return f" [{', '.join(parts)}]" if parts else ""


def _shorten(text, size):
    return text if len(text) <= size else text[:max(size - 3, 0)] + "..."


def _is_shared(var):
    return hasattr(var, "get_value")


def _ifelse_branches(nodes, cond_highlight):
    """``(left, right, middle)`` node sets of the ifelse named (or given by) cond_highlight."""
    chosen = None
    for node in nodes:
        if node is cond_highlight or (type(node.op).__name__ == "IfElse"
                                      and str(node.op) == str(cond_highlight)):
            chosen = node
    if chosen is None:
        return None
    then_pos, else_pos = chosen.op.branch_positions(chosen)
    left = set(toposort([chosen.inputs[k] for k in then_pos]))
    right = set(toposort([chosen.inputs[k] for k in else_pos]))
    middle = left & right
    return left - middle, right - middle, middle


class _DotWriter:
    """Builds the lines of one DOT document (see the module docstring)."""

    def __init__(self, obj, compact, with_ids, high_contrast, var_with_name_simple,
                 max_label_size, color_codes):
        outputs, order, _ = graph_of(obj, who="to_dot")
        self.updates = update_targets(obj)            # update output -> shared variable
        self.outputs = [v for v in outputs if v not in self.updates]
        if order is not None:
            self.topo = sorted(order, key=order.get)
        else:
            self.topo = toposort(outputs)
        self.all_outputs = outputs
        self.compact, self.with_ids = compact, with_ids
        self.high_contrast, self.simple = high_contrast, var_with_name_simple
        self.size = max_label_size
        self.colors = dict(DEFAULT_COLOR_CODES if color_codes is None else color_codes)
        self.colors.setdefault("Output", DEFAULT_COLOR_CODES["Output"])
        self.clients = {}
        for node in self.topo:
            for var in node.inputs:
                self.clients[var] = self.clients.get(var, 0) + 1
        self.var_names, self.var_labels, self.node_names = {}, {}, {}
        self.drawn, self.strings = set(), set()
        self.lines = ["digraph G {"]

    # ---------------------------------------------------------------- labels

    def var_name(self, var):
        if var not in self.var_names:
            self.var_names[var] = f"v{len(self.var_names)}"
            self.var_labels[var] = self._var_label(var)
            self.strings.add(self.var_labels[var])
        return self.var_names[var]

    def _var_label(self, var):
        if var.name is not None:
            text = var.name if self.simple else f"name={var.name} {var.type}"
        elif isinstance(var, Constant):
            value = str(np.asarray(var.data)).split("\n", 1)[0]
            text = f"val={value} {var.type}"
        elif var in self.updates and self.updates[var].name is not None:
            text = self.updates[var].name + ("" if self.simple else f" {var.type}")
        else:
            text = str(var.type)
        return _shorten(text, self.size)

    def node_name(self, node, index):
        if node in self.node_names:
            return self.node_names[node][0]
        text = str(node.op)
        if self.with_ids or text in self.strings:
            suffix = f" id={index}"
            text = _shorten(text, self.size - len(suffix)) + suffix
        else:
            text = _shorten(text, self.size)
        self.strings.add(text)
        self.node_names[node] = (f"a{len(self.node_names)}", text)
        return self.node_names[node][0]

    # ---------------------------------------------------------------- drawing

    def _filled(self, color):
        if self.high_contrast:
            return {"style": "filled", "fillcolor": color}
        return {"color": color}

    def draw_var(self, var, color=None):
        name = self.var_name(var)
        if var in self.drawn:
            return name
        self.drawn.add(var)
        attrs = {"label": self.var_labels[var], "shape": "box"}
        if color is not None:
            attrs.update(self._filled(color))
        self.lines.append(f"  {name}{_attributes(**attrs)};")
        return name

    def edge(self, source, target, **attrs):
        self.lines.append(f"  {source} -> {target}{_attributes(**attrs)};")

    def _op_color(self, node):
        found = None
        for key, color in self.colors.items():
            if key != "Output" and key in type(node.op).__name__:
                found = color
        return found

    def draw_node(self, index, node):
        name = self.node_name(node, index)
        attrs = {"label": self.node_names[node][1], "shape": "ellipse"}
        color = self._op_color(node)
        if color is not None:
            attrs.update(self._filled(color))
        self.lines.append(f"  {name}{_attributes(**attrs)};")
        views = {k for ks in (getattr(node.op, "view_map", None) or {}).values() for k in ks}
        destroys = {k for ks in (getattr(node.op, "destroy_map", None) or {}).values()
                    for k in ks}
        for k, var in enumerate(node.inputs):
            attrs = {"label": str(k) if len(node.inputs) > 1 else None}
            if k in views:
                attrs["color"] = self.colors["Output"]
            elif k in destroys:
                attrs["color"] = "red"
            if var.owner is None:
                color = _SHARED_COLOR if _is_shared(var) else _INPUT_COLOR
                self.edge(self.draw_var(var, color), name, **attrs)
            elif var.name or not self.compact or var in self.all_outputs:
                self.edge(self.var_name(var), name, **attrs)
            else:
                label = (attrs["label"] + " " if attrs["label"] else "") + str(var.type)
                attrs["label"] = _shorten(label, self.size)
                source = self.node_names[var.owner][0]     # drawn before: toposort
                self.edge(source, name, **attrs)
        for k, var in enumerate(node.outputs):
            attrs = {"label": str(k) if len(node.outputs) > 1 else None}
            if var in self.outputs or var in self.updates:
                self.edge(name, self.draw_var(var, self.colors["Output"]), **attrs)
            elif not self.clients.get(var):
                self.edge(name, self.draw_var(var, _UNUSED_COLOR), **attrs)
            elif var.name or not self.compact:
                if self.compact:
                    label = (attrs["label"] + " " if attrs["label"] else "") + str(var.type)
                    attrs["label"] = _shorten(label, self.size)
                self.edge(name, self.draw_var(var), **attrs)

    def finish(self, cond_highlight):
        for index, node in enumerate(self.topo):
            self.draw_node(index, node)
        for var in self.outputs:            # an output no node computes: a leaf
            if var.owner is None:
                self.draw_var(var, self.colors["Output"])
        for update, shared in self.updates.items():
            source = self.draw_var(shared, _SHARED_COLOR)
            self.edge(source, self.var_name(update), label="UPDATE",
                      color=self.colors["Output"])
        if cond_highlight is not None:
            self._clusters(cond_highlight)
        self.lines.append("}")
        return "\n".join(self.lines) + "\n"

    def _clusters(self, cond_highlight):
        branches = _ifelse_branches(self.topo, cond_highlight)
        if branches is None:
            import warnings
            warnings.warn(f"to_dot: cond_highlight={cond_highlight!r} names no ifelse node "
                          f"in the graph; drawing without clusters", stacklevel=4)
            return
        for title, nodes in zip(("Left", "Right", "Middle"), branches):
            members = [self.node_names[n][0] for n in self.topo if n in nodes]
            self.lines.append(f"  subgraph cluster_{title} {{")
            self.lines.append(f"    label={dot_string(title)};")
            self.lines += [f"    {name};" for name in members]
            self.lines.append("  }")


def to_dot(obj, compact=True, with_ids=False, high_contrast=True,
           var_with_name_simple=False, max_label_size=70, color_codes=None,
           cond_highlight=None):
    """Return the DOT text drawing the graph of ``obj``, as Theano's ``pydotprint`` draws it.

    ``obj``: a variable, a list of variables, a FunctionGraph, a compiled
    function (its optimized graph, with its updates) or an inner graph.
    ``compact``: leave out the boxes of unnamed intermediate variables.
    ``with_ids``: add each Apply node's position in the execution order to its
    label (`` id=3``). ``high_contrast``: fill nodes with their colour
    instead of colouring their border. ``var_with_name_simple``: a named
    variable's box shows its name alone (else ``name=x`` and its type).
    ``max_label_size``: longer labels end in ``...``. ``color_codes``: op
    class name (part of it) -> colour, replacing ``DEFAULT_COLOR_CODES``.
    ``cond_highlight``: an ifelse node, or its op's name: the nodes only its
    then branch reads, only its else branch reads, and both read are drawn in
    clusters ``Left``, ``Right`` and ``Middle``. See the module docstring.
    """
    if not isinstance(max_label_size, int) or max_label_size < 4:
        raise ValueError(f"to_dot: max_label_size must be an int of at least 4; "
                         f"got {max_label_size!r}")
    writer = _DotWriter(obj, compact, with_ids, high_contrast, var_with_name_simple,
                        max_label_size, color_codes)
    return writer.finish(cond_highlight)
