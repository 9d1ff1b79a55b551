"""symlab's IPython magics, registered by ``%load_ext symlab``.

====================================  ==============================================
``%symlab_graph f_or_expr``           display a ``GraphView`` (a compiled function, or
                                      an expression, optimized here without compiling)
``%symlab_shared [f]``                display a ``SharedInspector`` of ``f`` (or of a
                                      list or dict), else of the notebook's namespace
``%symlab_rng rv_or_stream``          display an ``RNGStepper``
``%symlab_debugprint obj``            print ``symlab.debugprint(obj)``
``%symlab_trace f_or_expr``           print the optimization trace (``f.trace``)
``%symlab_profile f(args)``           call ``f`` profiled, and display its graph
                                      coloured by time per node, with the table
====================================  ==============================================

The argument is a Python expression evaluated in the notebook's namespace
(usually a name). An unknown name, an expression that fails, or an object of
the wrong kind is reported as a ``UsageError``: one line, no traceback.
"""

import ast
from collections import ChainMap

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import display

from symlab.graph.basic import Variable
from symlab.notebook._common import function_name
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

    @line_magic
    def symlab_profile(self, line):
        """Profile one call: ``%symlab_profile f(x_value, y_value)``.

        Evaluates the call's function and arguments in the notebook's
        namespace, calls the function once, and displays its graph view with
        each node coloured by the time it took (the slower, the stronger;
        with a legend) and the profile as a table: node (as debugprint names
        it), op, time, % of the call, calls. Prints nothing else and returns
        nothing.

        If ``f`` was compiled with ``profile=True``, ``f`` itself is called
        and its ``f.profile`` (all its calls so far) is shown. Otherwise the
        call goes to ``f.copy(profile=True)``: the same graph, compiled
        again with profiling, reading and updating the same shared
        variables, so **the call applies ``f``'s updates** exactly as
        ``f(args)`` would, and its profile holds this one call. A call that
        fails raises its error as ``f(args)`` would.
        """
        function, args, kwargs = self._call_of("symlab_profile", line)
        if getattr(function, "profile", None) is not None:
            profiled = function
        else:
            profiled = function.copy(profile=True)
        profiled(*args, **kwargs)
        view = GraphView(profiled)
        if not view.graph.get("name"):
            name = function_name(function)
            if name != "(unnamed)":
                view.graph = {**view.graph, "name": name}
        display(view)

    def _call_of(self, magic, line):
        """``(function, args, kwargs)`` of the call expression ``line``, evaluated in the
        user's namespace; a UsageError unless it is a call of a compiled function."""
        usage = f"Usage: %{magic} f(arg, ...)"
        text = line.strip()
        if not text:
            raise UsageError(f"%{magic}: missing argument. {usage}")
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise UsageError(f"%{magic}: {text!r} is not a Python expression ({exc.msg}). "
                             f"{usage}") from None
        call = tree.body
        if not isinstance(call, ast.Call):
            raise UsageError(f"%{magic}: expected a call of a compiled function, such as "
                             f"f(x_value); got {text!r}. {usage}")
        captured = {}

        def capture(*args, **kwargs):
            captured["args"], captured["kwargs"] = args, kwargs

        holder = "__symlab_profile_call__"
        target = ast.Expression(body=ast.Call(func=ast.Name(id=holder, ctx=ast.Load()),
                                              args=call.args, keywords=call.keywords))
        callee = ast.Expression(body=call.func)
        namespace = ChainMap({holder: capture}, self.shell.user_ns)
        try:
            function = eval(compile(ast.fix_missing_locations(callee), "<%" + magic + ">",
                                    "eval"), self.shell.user_global_ns, namespace)
            eval(compile(ast.fix_missing_locations(target), "<%" + magic + ">", "eval"),
                 self.shell.user_global_ns, namespace)
        except NameError as exc:
            raise UsageError(f"%{magic}: {exc} in the notebook's namespace. {usage}") from None
        except Exception as exc:
            raise UsageError(f"%{magic}: evaluating {text!r} raised {type(exc).__name__}: "
                             f"{exc}") from None
        if not (callable(function) and callable(getattr(function, "copy", None))
                and all(hasattr(function, a) for a in ("graph_before", "graph_after", "trace"))):
            raise UsageError(f"%{magic}: {ast.unparse(call.func)!r} is not a compiled function "
                             f"(it is of type {type(function).__name__}). {usage}")
        return function, captured["args"], captured["kwargs"]
