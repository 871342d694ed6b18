"""System checks of the booking site's own settings."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@register("booking")
def site_url(app_configs=None, **kwargs):
    """Customers' emails carry absolute links from SITE_URL; in production a local address would lead nowhere."""
    host = urlsplit(settings.SITE_URL).hostname
    if not settings.DEBUG and (host is None or host in LOCAL_HOSTS):
        return [Warning(
            f"SITE_URL is {settings.SITE_URL!r}: the change-or-cancel links in customers' emails would not reach "
            "this site.", hint="Set SITE_URL to the site's public address, such as https://book.example.com.",
            id="booking.W001",
        )]
    return []


@register("booking")
def limits_cache(app_configs=None, **kwargs):
    """The abuse limits count in the default cache; local memory counts per process, so with several gunicorn
    workers each limit is as many times looser."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.DEBUG and backend.endswith("LocMemCache"):
        return [Warning(
            "The abuse limits count in local memory, per process: with several worker processes they are looser.",
            hint="Set REDIS_URL (README, Production), or run one worker process.", id="booking.W002",
        )]
    return []
