"""Development sandboxes: stand-ins for the outside services the site talks to, each its own Django app, installed
and routed only when its setting asks for it (development and tests), so that production neither serves them nor
migrates their tables. Each app is independent of the others (its own apps.py, urls.py, models and migrations)."""
