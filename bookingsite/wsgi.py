import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookingsite.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, the settings) lives as long as the process: moved out of the collector's
# reach, a full collection no longer walks it mid-request, and workers forked from a preloading server keep sharing
# its memory pages instead of copying them when the collector touches them.
gc.freeze()
