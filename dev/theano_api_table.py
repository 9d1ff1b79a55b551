"""Write docs/theano-api.md: per page of Theano's doc/library and doc/tutorial, whether
symlab runs it (ran / partial / excluded) and why, from the data in tests/api/.

    .venv/bin/python dev/theano_api_table.py            # rewrite docs/theano-api.md
    .venv/bin/python dev/theano_api_table.py --check    # exit 1 if the file is stale
    .venv/bin/python dev/theano_api_table.py --not-yet  # print NOT_YET for the current tree

The page lists and NOT_YET live in tests/api/theano_pages.py; the outcome of running
each tutorial page's examples by hand lives in TUTORIAL_RUNS below (update it when you
rerun them). A page is *ran* when every name it documents is in symlab (and, for a
tutorial, its examples gave the page's results up to the differences noted), *partial*
when names are missing (listed, from NOT_YET) or an example did not run.
"""

import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "theano-api.md"

#: page -> (outcome, what was run and how its output compared with the page's).
#: outcome: "matched" (values and behaviour as the page shows; printed text may differ
#: where symlab's printing differs by design), "differs" (something the page shows does
#: not happen in symlab), "no code" (the page has no Theano example).
TUTORIAL_RUNS = {
    "tutorial/index.txt": ("no code", "imports only"),
    "tutorial/python.txt": ("no code", "a Python primer"),
    "tutorial/numpy.txt": ("no code", "a NumPy primer"),
    "tutorial/python-memory-management.txt": ("no code", "Python internals"),
    "tutorial/remarks.txt": ("no code", "limitations, in prose"),
    "tutorial/multi_cores.txt": ("no code", "OpenMP and BLAS settings of Theano's C backend"),
    "tutorial/nan_tutorial.txt": ("no code", "prose pointing to NanGuardMode, DebugMode and "
                                             "MonitorMode (their examples run under debug_faq)"),
    "tutorial/adding.txt": ("matched", "f(2, 3) = 5.0, f(16.3, 12.1) = 28.4 and the matrix sums "
                                       "as on the page; `x.type` prints "
                                       "`TensorType(float64, ())` where Theano prints "
                                       "`TensorType(float64, scalar)`, and "
                                       "`pp(z)` prints `x + y` without Theano's outer "
                                       "parentheses"),
    "tutorial/examples.txt": ("matched", "logistic values, the three differences, defaults "
                                         "(`In(y, value=1)`, as Theano 1.0 spells `Param`), the "
                                         "accumulator 0/1/301/-1/2/0, givens (7), random "
                                         "streams (f changes, g repeats, nearly_zeros is 0, "
                                         "seeding and "
                                         "set_state replay v1), copying state between graphs "
                                         "through `state_updates`, the logistic regression "
                                         "trains"),
    "tutorial/gradients.txt": ("matched", "every value (8.0, 188.4, the logistic gradient, "
                                          "Jacobian, Hessian, Rop, Lop, Hessian-times-vector) as "
                                          "on the page; `pp(gy)` reads "
                                          "`alloc(1.0) * 2 * x ** (2 - 1.0)` where Theano reads "
                                          "`((fill((x ** 2), 1.0) * 2) * (x ** (2 - 1)))`, and "
                                          "the optimized graph `2.0 * x`"),
    "tutorial/conditions.txt": ("matched", "switch and ifelse give the same values, and the lazy "
                                           "ifelse is faster (0.06 s against 0.11 s for 10 calls "
                                           "on 10000x1000 matrices)"),
    "tutorial/loop.txt": ("matched", "A**k, the polynomial (19.0), the triangular numbers, "
                                     "set_subtensor in scan, the shared-variable updates "
                                     "([2, 12], 11, [12, 22], 21) and until (2 ... 64)"),
    "tutorial/symbolic_graphs.txt": ("differs", "`a + a ** 10` gives [0, 2, 1026]; but `y = x * "
                                                "2.` keeps the constant as `y.owner.inputs[1]` "
                                                "(TensorConstant{2.0}, no owner) where Theano "
                                                "shows a `DimShuffle{x,x}` node: symlab "
                                                "broadcasts constants statically"),
    "tutorial/printing_drawing.txt": ("matched", "`pprint(prediction)` prints exactly the page's "
                                                 "text; debugprint has Theano's layout with "
                                                 "symlab's op names (`gt`, not "
                                                 "`Elemwise{gt,no_inplace}`, no DimShuffle "
                                                 "nodes) and a fused compiled graph; pydotprint "
                                                 "writes the three PNG files"),
    "tutorial/modes.txt": ("matched", "DebugMode gives [50], [0], [70]; Mode(linker=..., "
                                      "optimizer=...) and DebugMode() build; the page's "
                                      "ProfileMode section is Theano's own removed API"),
    "tutorial/loading_and_saving.txt": ("differs", "pickling a function and loading it works; "
                                                   "`theano.misc.pkl_utils.dump`/`load` are "
                                                   "missing"),
    "tutorial/aliasing.txt": ("matched", "borrow prints [1 1], [1 1], [2 2]; get_value with "
                                         "return_internal_type, set_value(borrow=True), "
                                         "In/Out(borrow=True) run"),
    "tutorial/shape_info.txt": ("differs", "the values agree, but symlab does not rewrite "
                                           "`(x ** 2).shape` into `Shape_i` nodes or fold "
                                           "`specify_shape(x, (2, 2))` into the constant [2 2]; "
                                           "the page's 'shape inference problem' (a wrong "
                                           "shape [8, 4] returned without error) raises the "
                                           "join's error in symlab instead"),
    "tutorial/broadcasting.txt": ("matched", "the broadcastable patterns and both sums as on "
                                             "the page"),
    "tutorial/debug_faq.txt": ("matched", "both errors are raised (worded in symlab's way); "
                                          "test values stop at the `T.dot` line; "
                                          "print_test_value prints `array(42.)`; Print prints "
                                          "'this is a very important value __str__ = [1. 2. "
                                          "3.]'; MonitorMode's inspect and detect_nan recipes "
                                          "run and find the NaN (the node prints as "
                                          "`Apply(mul, ...)` and the constant 5 as int8)"),
    "tutorial/profiling.txt": ("matched", "`function(..., profile=True)` and `f.profile."
                                          "summary()` report per-node times (symlab's format); "
                                          "config.profile, profile_memory, profile_optimizer "
                                          "exist"),
    "tutorial/extending_theano.txt": ("matched", "the DoubleOp runs and passes verify_grad; the "
                                                 "as_op numpy_dot example runs; the page's "
                                                 "`theano.tests.unittest_tools` helpers are "
                                                 "Theano's test suite (not checked)"),
    "tutorial/faq.txt": ("matched", "`f.trust_input = True` and `config.allow_gc` work"),
    "tutorial/faq_tutorial.txt": ("matched", "the lookup-table update with inc_subtensor "
                                             "changes only the selected rows"),
    "tutorial/conv_arithmetic.txt": ("differs", "conv2d output sizes for padding (1, 1) stride "
                                                "2, valid, half and full match the page's "
                                                "relationships, and conv2d_transpose runs; "
                                                "`nnet.abstract_conv.conv2d_grad_wrt_inputs` is "
                                                "missing"),
    "tutorial/tools.txt": ("matched", "dmatrix/dmatrices and TensorType('uint8', [False]*3), "
                                      "complex types and Mode(linker='py', optimizer=None) "
                                      "build"),
    "tutorial/debugmode.txt": ("matched", "mode='DEBUG_MODE' gives [50], [0], [70]; the "
                                          "DebugMode error classes import"),
}


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "api" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(pages):
    """``(page, status, reason)`` for every page, checked ones then excluded ones, sorted."""
    missing = {}
    for page, name in pages.NOT_YET:
        missing.setdefault(page, []).append(name)
    out = []
    for page in sorted(pages.PAGES):
        names, gaps = pages.PAGES[page], sorted(missing.get(page, ()))
        run = TUTORIAL_RUNS.get(page)
        status = "partial" if gaps or (run and run[0] == "differs") else "ran"
        parts = [f"{len(names) - len(gaps)} of {len(names)} names found"] if names else []
        if gaps:
            parts.append("missing: " + ", ".join(f"`{n}`" for n in gaps))
        if run:
            parts.append(f"examples {run[0]}: {run[1]}")
        out.append((page, status, "; ".join(parts) or "documents no names"))
    for page in sorted(pages.EXCLUDED):
        out.append((page, "excluded", pages.EXCLUDED[page]))
    return out


def render(pages):
    """The text of docs/theano-api.md."""
    table = rows(pages)
    counts = {s: sum(1 for _, status, _ in table if status == s)
              for s in ("ran", "partial", "excluded")}
    total = sum(len(v) for v in pages.PAGES.values())
    lines = [
        "# Theano's documented API in symlab",
        "",
        "<!-- Generated by dev/theano_api_table.py from tests/api/theano_pages.py; "
        "do not edit by hand. -->",
        "",
        "Every page of Theano's `doc/library/` and `doc/tutorial/`, with whether it runs on "
        "symlab (`import symlab as theano`). The names each page documents are data in "
        "`tests/api/theano_pages.py` (checked to exist in Theano 1.0.5 by "
        "`dev/theano_reference/documented_names.py`); `tests/api/test_documented_names.py` "
        "finds each in symlab and keeps the list of missing ones (`NOT_YET`) exact. The "
        "tutorial pages' examples were copied into scratch files and run by hand; the last "
        "column says what they printed against the page.",
        "",
        f"Pages: {counts['ran']} ran, {counts['partial']} partial, {counts['excluded']} "
        f"excluded. Names: {total - len(pages.NOT_YET)} of {total} found "
        f"({len(pages.NOT_YET)} missing).",
        "",
        "- **ran**: every name the page documents is in symlab (and a tutorial's examples "
        "gave the page's results; printed text can differ where symlab prints its own op "
        "names, see docs/debugging.md).",
        "- **partial**: names are missing (listed) or an example behaved otherwise (said).",
        "- **excluded**: out of scope, with the reason (the issue's exclusions: C ops, the "
        "old GPU backends, d3viz, sparse; and pages of APIs Theano removed before 1.0).",
        "",
        "| page | status | details |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{page}` | {status} | {detail} |" for page, status, detail in table]
    return "\n".join(lines) + "\n"


def not_yet(pages):
    """``NOT_YET`` for the current tree, as Python source."""
    import symlab
    lookup = _load("documented_lookup")
    missing = sorted((page, name) for page, names in pages.PAGES.items() for name in names
                     if not lookup.exists(symlab, name))
    body = "".join(f"    ({page!r}, {name!r}),\n" for page, name in missing)
    return "NOT_YET = {\n" + body + "}\n"


def main(argv):
    pages = _load("theano_pages")
    if "--not-yet" in argv:
        sys.stdout.write(not_yet(pages))
        return 0
    text = render(pages)
    if "--check" in argv:
        if DOC.read_text() != text:
            print(f"{DOC.relative_to(ROOT)} is stale: run dev/theano_api_table.py")
            return 1
        return 0
    DOC.write_text(text)
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
