"""symlab's IPython magics, registered by ``%load_ext symlab``.

====================================  ==============================================
``%symlab_graph f_or_expr``           display a ``GraphView`` (a compiled function, or
                                      an expression, optimized here without compiling)
``%symlab_shared [f]``                display a ``SharedInspector`` of ``f`` (or of a
                                      list or dict), else of the notebook's namespace
``%symlab_rng rv_or_stream``          display an ``RNGStepper``
``%symlab_debugprint obj``            print ``symlab.debugprint(obj)``
``%symlab_trace f_or_expr``           print the optimization trace (``f.trace``)
====================================  ==============================================

The argument is a Python expression evaluated in the notebook's namespace
(usually a name). An unknown name, an expression that fails, or an object of
the wrong kind is reported as a ``UsageError``: one line, no traceback.
"""

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import display

from symlab.graph.basic import Variable
from symlab.notebook.graph_view import GraphView
from symlab.notebook.rng_stepper import RNGStepper
from symlab.notebook.shared_inspector import SharedInspector
from symlab.printing import debugprint
from symlab.rewrite import rewrite_graph

__all__ = ["SymlabMagics"]


@magics_class
class SymlabMagics(Magics):
    """The line magics of symlab (see the module docstring)."""

    def _evaluate(self, magic, line, usage):
        """The value of the expression ``line`` in the user's namespace, or a UsageError."""
        text = line.strip()
        if not text:
            raise UsageError(f"%{magic}: missing argument. Usage: %{magic} {usage}")
        try:
            return self.shell.ev(text)
        except NameError as exc:
            raise UsageError(f"%{magic}: {exc} in the notebook's namespace. Usage: "
                             f"%{magic} {usage}") from None
        except SyntaxError as exc:
            raise UsageError(f"%{magic}: {text!r} is not a Python expression ({exc.msg})") \
                from None
        except Exception as exc:
            raise UsageError(f"%{magic}: evaluating {text!r} raised {type(exc).__name__}: "
                             f"{exc}") from None

    @staticmethod
    def _make(magic, factory, value, text):
        try:
            return factory(value)
        except TypeError as exc:
            raise UsageError(f"%{magic}: {text.strip()!r} (of type {type(value).__name__}): "
                             f"{exc}") from None

    @line_magic
    def symlab_graph(self, line):
        """Show the graph of a compiled function or an expression before and after
        optimization, stepping through its rewrites: ``%symlab_graph f``."""
        value = self._evaluate("symlab_graph", line, "f_or_expr")
        display(self._make("symlab_graph", GraphView, value, line))

    @line_magic
    def symlab_shared(self, line):
        """Show the shared variables of a compiled function (``%symlab_shared f``), or of
        the notebook's namespace (``%symlab_shared``), with their values, live."""
        if line.strip():
            value = self._evaluate("symlab_shared", line, "[f]")
            widget = self._make("symlab_shared", SharedInspector, value, line)
        else:
            widget = SharedInspector()
        display(widget)

    @line_magic
    def symlab_rng(self, line):
        """Step through the random state of a random variable or a stream:
        ``%symlab_rng rv`` or ``%symlab_rng srng``."""
        value = self._evaluate("symlab_rng", line, "rv_or_stream")
        display(self._make("symlab_rng", RNGStepper, value, line))

    @line_magic
    def symlab_debugprint(self, line):
        """Print ``symlab.debugprint`` of a variable or a compiled function."""
        value = self._evaluate("symlab_debugprint", line, "obj")
        try:
            text = debugprint(value, file="str")
        except (TypeError, ValueError, AttributeError) as exc:
            raise UsageError(f"%symlab_debugprint: cannot print {line.strip()!r} (of type "
                             f"{type(value).__name__}): {exc}") from None
        print(text, end="" if text.endswith("\n") else "\n")

    @line_magic
    def symlab_trace(self, line):
        """Print the optimization trace of a compiled function (or of an expression,
        optimized here without compiling): ``%symlab_trace f``."""
        value = self._evaluate("symlab_trace", line, "f_or_expr")
        if isinstance(getattr(value, "trace", None), list):
            print(value.trace)
        elif isinstance(value, Variable) or (
                isinstance(value, (list, tuple)) and value
                and all(isinstance(v, Variable) for v in value)):
            print(rewrite_graph(value)[1])
        else:
            raise UsageError(f"%symlab_trace: expected a compiled function or a symbolic "
                             f"expression; {line.strip()!r} is of type {type(value).__name__}")
