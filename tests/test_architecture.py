"""The import graph keeps the shape docs/architecture.md draws: apps meet at the bookings port.

Every import statement of booking, payments and bookingsite counts, wherever it is written (inside functions too), as
grimp reads it from the source. The rules:

1. Layers, top to bottom (a module belongs to the layer of its longest listed prefix). A module imports its own
   layer and the layers below it, never one above, so no cycle can join two apps.
2. payments does not import booking's views, nor the engine (booking.backends' modules below get_backend,
   booking.models, booking.states): it reaches bookings through the port.
3. booking's views do not import the engine either.
"""

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Top to bottom. The port layer is booking's core: the port's types and errors, get_backend(), the domain events, the
# customer's session (booking.draft, booking.web), and the engine behind them, which implements the port (it
# imports the port's types, and get_backend() composes it), so the two share a layer; rules 2 and 3 keep the others
# off the engine.
LAYERS = (
    ("project", ("bookingsite",)),  # settings, URLs, and the development sandboxes (which may import payments)
    ("booking's pages", ("booking.views", "booking.admin", "notifications", "booking.urls", "booking.apps",
                         "booking.management")),
    ("payments", ("payments",)),
    ("bookings port and engine", ("booking",)),
)

# The engine, as the port's users must not see it: everything under booking.backends but the package itself
# (get_backend), the models and the state machine.
ENGINE = ("booking.backends.", "booking.models", "booking.states")
PORT_USERS = {
    "payments": ("payments",),
    "booking's views": ("booking.views",),
}
NOT_FOR_PAYMENTS = ("booking.views",)


def within(module: str, prefix: str) -> bool:
    if prefix.endswith("."):
        return module.startswith(prefix)
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int | None:
    matches = [(len(prefix), index) for index, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes
               if within(module, prefix)]
    return max(matches)[1] if matches else None


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("booking", "payments", "bookingsite", cache_dir=None)


def imports(graph: grimp.ImportGraph):
    """Every direct import between our modules: (importer, imported, 'module line N: source line')."""
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                where = f"{importer} line {detail['line_number']}: {detail['line_contents']}"
                yield importer, imported, where


def test_apps_import_only_their_own_layer_and_those_below(graph):
    upward = []
    for importer, imported, where in imports(graph):
        source, target = layer_of(importer), layer_of(imported)
        if source is not None and target is not None and target < source:
            upward.append(f"{LAYERS[source][0]} imports {LAYERS[target][0]}: {where}")
    assert not upward, "Imports that climb a layer (docs/architecture.md):\n" + "\n".join(upward)


@pytest.mark.parametrize("user", sorted(PORT_USERS))
def test_the_engine_is_reached_through_the_port_only(graph, user):
    forbidden = ENGINE + (NOT_FOR_PAYMENTS if user == "payments" else ())
    found = [f"{imported}: {where}" for importer, imported, where in imports(graph)
             if any(within(importer, p) for p in PORT_USERS[user]) and any(within(imported, f) for f in forbidden)]
    assert not found, f"{user} must use the bookings port (booking.backends.get_backend, booking.port):\n" + \
        "\n".join(found)


def test_the_rules_see_every_module(graph):
    """A module outside every layer would escape rule 1; and the graph must really hold the modules the rules name."""
    assert {m for m in graph.modules if layer_of(m) is None} == set()
    assert {"booking.views.checkout", "payments.refunds", "booking.backends", "booking.states",
            "bookingsite.sandboxes.stripe.api"} <= graph.modules
