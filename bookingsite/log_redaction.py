"""A logging filter that keeps customers' link tokens out of log lines.

A manage link (`/manage/<token>/`) and Wix's anonymous-booking paths (`/v1/anonymous-bookings/<token>/...`, served by
the Wix sandbox in development) carry a token that lets its holder cancel or move a booking. Django logs request
paths itself (`django.request` for every 4xx and 5xx, `django.server` for every request under runserver), so the
console handler redacts those paths whatever logger wrote them.
"""

import logging
import re

TOKEN_IN_PATH = re.compile(r"(/manage/|/anonymous-bookings/)[A-Za-z0-9_-]{20,}")


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = TOKEN_IN_PATH.sub(r"\1<token>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
