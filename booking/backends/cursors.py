"""Paging cursors: the request's arguments and the position reached, signed so a tampered cursor is a clear 400."""

from django.core import signing

from booking.errors import InvalidArgument


def write(args: dict, *, kind: str) -> str:
    return signing.dumps(args, salt=f"booking.cursor.{kind}")


def read(cursor: str, *, kind: str) -> dict:
    try:
        return signing.loads(cursor, salt=f"booking.cursor.{kind}")
    except signing.BadSignature as exc:
        raise InvalidArgument("That page link is not valid; please start again.", code="INVALID_CURSOR") from exc
