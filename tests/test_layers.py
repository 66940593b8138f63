"""The floor plan: every module imports only from its own layer and the layers below it
(imports inside functions count too). The layers, bottom up:"""

import ast
from pathlib import Path

LAYERS = (
    ("kernels", "cli_options"),       # numba kernels (numpy and numba only); argparse helpers
    ("config",),                      # the schema and loading
    ("learners",),                    # what the world model predicts (a map of the senses)
    ("genetics",),                    # the genome layout and its operators
    ("world",),                       # state containers, the world at tick 0, kernel parameters
    ("io",),                          # run folders, checkpoints, locks
    ("sim",),                         # Simulation: owns the state, calls the kernels
    ("metrics", "render"),            # rows and tables of a run; pictures of the world
    ("parallel",),                    # executors and each run's share of the cores
    ("runners",),                     # alife run / evolve / resume, islands
    ("batch",),                       # sweeps
    ("viewer", "report", "experiments"),
    ("cli", "__main__"),
    ("__init__",),                    # the package's public names
)
RANK = {name: k for k, names in enumerate(LAYERS) for name in names}
PACKAGE = Path(__file__).resolve().parents[1] / "alife"


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "alife"]


def _layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_every_part_of_the_package_has_a_layer():
    parts = {_layer(p) for p in PACKAGE.rglob("*.py")}
    assert parts <= set(RANK), f"put these in LAYERS: {sorted(parts - set(RANK))}"


def test_no_module_imports_from_a_layer_above_its_own():
    back_edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _layer(path)
        for line, module in _imports(path):
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 else "__init__"
            if target != own and RANK[target] > RANK[own]:
                back_edges.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    assert not back_edges, "imports against the floor plan:\n" + "\n".join(back_edges)


def test_kernels_import_only_kernels():
    for path in (PACKAGE / "kernels").rglob("*.py"):
        for line, module in _imports(path):
            assert module.startswith("alife.kernels"), f"{path.name}:{line} imports {module}"


# inside runners/, bottom up: a module imports only the runners listed before it
RUNNERS = ("compiling", "consistency", "loop", "headless", "population", "islands", "evolve",
           "resume")


def test_runners_import_only_the_runners_below_them():
    folder = PACKAGE / "runners"
    assert {p.stem for p in folder.glob("*.py")} - {"__init__"} == set(RUNNERS)
    for path in folder.glob("*.py"):
        if path.stem == "__init__":
            continue
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[:2] == ["alife", "runners"] and len(parts) > 2:
                assert RUNNERS.index(parts[2]) < RUNNERS.index(path.stem), \
                    f"runners/{path.name}:{line} imports {module}"
