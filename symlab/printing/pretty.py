"""``pprint``: Theano's pretty printer, ``theano.printing.pprint``.

It writes Theano's text: every arithmetic operator in parentheses
(``((x + y) * exp(x))``), ``(-x)``, ``|x|``, ``(a \\dot b)``, ``x.T``, other ops
as calls of their name (``gt(x, y)``, ``sum(x)``), constants as
``TensorConstant{2}``, leaves by name (an unnamed one by its type,
``<TensorType(float64, (?,))>``). Op names and type texts are symlab's, as
``debugprint`` shows them. ``pp`` (``pp.py``) is symlab's own, shorter text
with only the parentheses precedence needs.

``pprint(var)`` returns the text; ``pprint(inputs, outputs, updates)`` the
program Theano's ``process_graph`` prints (``return ...``, ``name = ...``,
``shared <- ...``). ``pprint.assign(condition, printer)`` prints some nodes
with a printer of one's own, as in Theano: ``condition`` an op, an op class,
or a function ``(pstate, var) -> bool``; ``printer.process(var, pstate)``
returns the text (and may call ``pstate.pprinter.process(input, pstate)``).
"""

from symlab.graph.basic import Op
from symlab.graph.traversal import toposort
from symlab.printing.debugprint import _label
from symlab.printing.pp import is_transpose, render, scalar_row

__all__ = ["pprint", "PPrinter", "PrinterState"]

#: Ops Theano prints as operators, by symlab's op name: ``(a + b)``, ``(-a)``, ``|a|``.
_INFIX = {"add": "+", "sub": "-", "mul": "*", "true_div": "/", "int_div": "//",
          "pow": "**", "dot": "\\dot"}
_PREFIX = {"neg": "-"}


class PrinterState:
    """What a printer is given beside the variable: ``pprinter`` (to print inputs)."""

    def __init__(self, pprinter, **props):
        self.pprinter = pprinter
        self.__dict__.update(props)

    def clone(self, **props):
        """A copy with ``props`` changed."""
        state = PrinterState(self.pprinter, **self.__dict__)
        state.__dict__.update(props)
        return state


def _join_call(name, args):
    pieces = [f"{name}("]
    for k, child in enumerate(args):
        pieces += [", ", child] if k else [child]
    return pieces + [")"]


def _theano_pieces(var):
    """The pieces of ``var``'s text in Theano's style (see the module docstring)."""
    node = var.owner
    if node is None:
        return [_label(var)]
    name, args = str(node.op), node.inputs
    elementwise = scalar_row(node) is not None
    if name in _INFIX and len(args) >= 2 and (elementwise or name == "dot"):
        pieces = ["("]
        for k, child in enumerate(args):
            pieces += [f" {_INFIX[name]} ", child] if k else [child]
        pieces.append(")")
    elif name in _PREFIX and len(args) == 1 and elementwise:
        pieces = ["(", _PREFIX[name], args[0], ")"]
    elif name == "abs" and len(args) == 1 and elementwise:
        pieces = ["|", args[0], "|"]
    elif is_transpose(node):
        pieces = [args[0], ".T"]
    else:
        pieces = _join_call(name, args)
    if len(node.outputs) > 1:
        pieces.append(f"[{var.index}]")
    return pieces


class PPrinter:
    """Theano's pretty printer: call it with a variable (see the module docstring)."""

    def __init__(self):
        self.printers = []          # (condition function, printer), newest first
        self.printers_dict = {}     # op or op class -> printer

    def assign(self, condition, printer):
        """Print the variables ``condition`` selects with ``printer`` (newest rule first)."""
        if isinstance(condition, (Op, type)):
            self.printers_dict[condition] = printer
        else:
            self.printers.insert(0, (condition, printer))

    def clone(self):
        """A printer with the same rules, whose rules can change apart."""
        copy = PPrinter()
        copy.printers = list(self.printers)
        copy.printers_dict = dict(self.printers_dict)
        return copy

    def clone_assign(self, condition, printer):
        """``clone()`` then ``assign(condition, printer)``."""
        copy = self.clone()
        copy.assign(condition, printer)
        return copy

    def _custom(self, var, pstate):
        node = var.owner
        if node is not None:
            for key in (node.op, type(node.op)):
                try:
                    printer = self.printers_dict.get(key)
                except TypeError:           # an op that cannot be a dict key
                    printer = None
                if printer is not None:
                    return printer
        for condition, printer in self.printers:
            if condition(pstate, var):
                return printer
        return None

    def process(self, var, pstate=None, names=None):
        """Return the text of ``var``. ``names``: variables printed by name, not expanded."""
        if pstate is None:
            pstate = PrinterState(self)
        elif isinstance(pstate, dict):
            pstate = PrinterState(self, **pstate)

        def describe(v):
            if names is not None and v in names:
                return [v.name]
            printer = self._custom(v, pstate)
            if printer is not None:
                return [printer.process(v, pstate)]
            return _theano_pieces(v)

        return render(var, describe)

    def process_graph(self, inputs, outputs, updates=None, display_inputs=False):
        """The program computing ``outputs`` from ``inputs``, one line per named value.

        ``return <text>`` for a single output, ``<name> = <text>`` for named
        values and for several outputs (``out[k]`` when unnamed), and
        ``<shared> <- <text>`` for ``updates`` (a dict or pairs: shared
        variable -> new value). A named value used later is printed by name
        there. ``display_inputs`` adds a first line ``inputs: ...``.
        """
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        pairs = list((updates or {}).items()) if isinstance(updates, dict) \
            else list(updates or [])
        targets = {new: shared for shared, new in pairs}
        lines = []
        if display_inputs:
            lines.append((0, "inputs: " + ", ".join(str(v) for v in
                                                    inputs + [s for s, _ in pairs])))
        named = set()
        count = 1
        finals = outputs + [new for _, new in pairs]
        for node in toposort(finals, stop_at=inputs + [s for s, _ in pairs]):
            for var in node.outputs:
                if var in targets:
                    text = self.process(var, names=named - {var})
                    lines.append((count + 1000, f"{targets[var]} <- {text}"))
                    count += 1
                if var.name is not None or var in outputs:
                    text = self.process(var, names=named - {var})
                    if len(outputs) == 1 and outputs[0] is var:
                        lines.append((2000, f"return {text}"))
                    else:
                        label = var.name if var.name is not None else \
                            f"out[{outputs.index(var)}]"
                        key = 2000 + outputs.index(var) if var in outputs else count
                        lines.append((key, f"{label} = {text}"))
                    count += 1
                if var.name is not None:
                    named.add(var)
        lines.sort(key=lambda line: line[0])
        return "\n".join(text for _, text in lines)

    def __call__(self, *args):
        """``pprint(var)``, ``pprint(var, pstate)`` or ``pprint(inputs, outputs, updates)``.

        A compiled function or a list prints each output on a line of its own.
        """
        if len(args) == 1:
            obj = args[0]
            fgraph = getattr(obj, "fgraph", None)
            if fgraph is not None:
                n_out = len(getattr(obj, "outputs", fgraph.outputs))
                return "\n".join(self.process(v) for v in fgraph.outputs[:n_out])
            if isinstance(obj, (list, tuple)):
                return "\n".join(self.process(v) for v in obj)
            return self.process(obj)
        if len(args) == 2 and isinstance(args[1], (PrinterState, dict)):
            return self.process(*args)
        if len(args) >= 2:
            return self.process_graph(*args)
        raise TypeError("pprint: expected a variable, (variable, pstate) or "
                        "(inputs, outputs[, updates]); got no argument")


#: Theano's ``theano.printing.pprint``.
pprint = PPrinter()
