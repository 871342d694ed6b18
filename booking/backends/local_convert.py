"""Where booking/admin.py finds the default form's id; the engine's conversions live in booking/backends/local/."""

from .local.convert import DEFAULT_FORM_ID

__all__ = ["DEFAULT_FORM_ID"]
