"""Layering: the core imports without the optional packages, and imports follow DESIGN.md's table."""

import ast
import pathlib
import subprocess
import sys
import textwrap

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "symlab"

# DESIGN.md's layer table, bottom to top: a module may import its own layer and those before it.
LAYERS = [
    ("config", ["symlab/config.py"]),
    ("graph", ["symlab/graph/"]),
    ("tensor", ["symlab/tensor/", "symlab/scalar/"]),
    ("printing", ["symlab/printing/"]),
    ("gradients", ["symlab/gradient.py"]),
    ("convolution", ["symlab/tensor/nnet/conv.py", "symlab/tensor/signal/"]),
    ("rewrites", ["symlab/rewrite/"]),
    ("backends", ["symlab/backends/"]),
    ("compile", ["symlab/compile/"]),
    ("control flow", ["symlab/ifelse.py", "symlab/scan_module/"]),
    ("random", ["symlab/random/", "symlab/tensor/shared_randomstreams.py", "symlab/sandbox/"]),
    ("notebook", ["symlab/notebook/"]),
    ("package", ["symlab/__init__.py", "symlab/demo.py", "symlab/debug.py", "symlab/gof.py"]),
]


def layer_of(relative):
    """The layer index of a module path relative to the repo root (most specific prefix wins)."""
    best = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if relative == prefix or (prefix.endswith("/") and relative.startswith(prefix)):
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    return None if best is None else best[0]


def module_path(name):
    """The repo-relative path of the symlab module ``name`` (package or module)."""
    parts = name.split(".")
    base = PACKAGE.parent.joinpath(*parts)
    if base.is_dir():
        return str((base / "__init__.py").relative_to(PACKAGE.parent))
    return str(base.with_suffix(".py").relative_to(PACKAGE.parent))


def module_level_imports(path):
    """symlab modules imported at module level (not inside functions) by ``path``."""
    tree = ast.parse(path.read_text())
    found = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("symlab")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("symlab"):
            found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names
                      if (PACKAGE.parent / node.module.replace(".", "/") / a.name).exists()
                      or (PACKAGE.parent / node.module.replace(".", "/") / f"{a.name}.py").exists()]
    return found


def test_module_level_imports_follow_the_layer_table():
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = str(path.relative_to(PACKAGE.parent))
        mine = layer_of(relative)
        assert mine is not None, f"{relative} is in no layer of DESIGN.md's table"
        for name in module_level_imports(path):
            if name == "symlab":
                continue
            theirs = layer_of(module_path(name))
            if theirs is not None and theirs > mine:
                violations.append(f"{relative} ({LAYERS[mine][0]}) imports {name} "
                                  f"({LAYERS[theirs][0]})")
    assert not violations, "\n".join(violations)


def test_the_layer_check_catches_an_upward_import(tmp_path):
    # The checker itself must be able to fail: a tensor module importing compile is flagged.
    fake = tmp_path / "fake.py"
    fake.write_text("from symlab.compile.function import function\n")
    assert module_level_imports(fake) == ["symlab.compile.function"]
    assert layer_of(module_path("symlab.compile.function")) > layer_of("symlab/tensor/math.py")


BLOCKER = textwrap.dedent("""
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"IPython", "ipywidgets", "graphviz", "cupy"}:
                raise ImportError("blocked for the layering test: " + name)
    sys.meta_path.insert(0, Block())
""")


def test_core_works_with_optional_packages_blocked():
    script = BLOCKER + textwrap.dedent("""
        import symlab as theano
        import symlab.tensor as T
        x = T.dmatrix("x")
        f = theano.function([x], 1 / (1 + T.exp(-x)))
        print(round(float(f([[0.0]])[0, 0]), 3))
        print(theano.debugprint(f, file="str").splitlines()[0])
        print(sorted(x._repr_mimebundle_()))
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in
                        {"IPython", "ipywidgets", "graphviz", "cupy"})
        print(loaded)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=str(PACKAGE.parent))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "0.5"
    assert lines[1].startswith("sigmoid")
    assert "'text/plain'" in lines[2]
    assert lines[3] == "[]"


def test_the_cupy_backend_imports_and_writes_its_source_with_cupy_blocked():
    # CuPy is imported lazily: the backend module loads, says CuPy is missing without
    # raising, and still generates the GPU source (only running it needs CuPy).
    script = BLOCKER + textwrap.dedent("""
        import symlab, symlab.tensor as T
        from symlab.backends import cupy as backend
        x = T.dmatrix("x")
        f = symlab.function([x], T.tanh(x) * 2)
        program = backend.generate(f.fgraph)
        print(backend.is_available(), len(program.kernels), "cupy" in sys.modules)
        try:
            symlab.function([x], x, device="cuda")
        except backend.CudaUnavailableError as exc:
            print("refused", "pip install 'symlab[gpu]'" in str(exc))
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=str(PACKAGE.parent))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["False 1 False", "refused True"]


def test_the_blocker_really_blocks():
    run = subprocess.run([sys.executable, "-c", BLOCKER + "import IPython"],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "blocked for the layering test" in run.stderr


def test_import_symlab_leaves_compile_time_layers_unloaded():
    # `import symlab` stays quick: the rewrites, the backend, control flow and gradients
    # load on first use, and then they work.
    script = textwrap.dedent("""
        import sys
        import symlab as theano
        later = ("symlab.rewrite", "symlab.backends", "symlab.scan_module", "symlab.ifelse",
                 "symlab.gradient", "symlab.printing.json_graph", "symlab.random")
        print(sorted(m for m in sys.modules if m.startswith(later)))
        import symlab.tensor as T
        x = T.dscalar("x")
        f = theano.function([x], theano.grad(x ** 2, x))
        values, _ = theano.scan(lambda v: v * 2, sequences=T.dvector("s"))
        print(float(f(3.0)), callable(theano.scan), theano.scan_module.until.__name__)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=str(PACKAGE.parent))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["[]", "6.0 True until"]
