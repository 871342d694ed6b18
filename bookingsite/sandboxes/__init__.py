"""Development-only stand-ins for outside services, each its own Django app (see each package's docstring)."""
