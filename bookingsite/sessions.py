"""Django's database sessions, with the read that nearly every page makes, and the update of an existing session,
each done as one plain statement.

A booking journey reads its session on five pages out of six and updates it on two. Through the ORM, building the
read (`Session.objects.get`) cost about twice what running it did, and an update was a transaction of its own around
one UPDATE (docs/performance.md). A single statement is atomic by itself. Making a session, deleting it, expiry and
`clearsessions` are Django's own, and so is what is stored: the same model, table and encoding.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, connections, router
from django.utils import timezone

# Django's Session model's table (get_model_class is not overridden here).
_READ = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"
_UPDATE = "UPDATE django_session SET session_data = %s, expire_date = %s WHERE session_key = %s"


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The session row if it exists and has not expired, with what `load` reads; else None, and the key is
        dropped, as Django's own does, so that saving makes a new session."""
        connection = connections[router.db_for_read(self.model)]
        with connection.cursor() as cursor:
            cursor.execute(_READ, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])

    def save(self, must_create=False):
        """An existing session's row updated in one statement; UpdateError if it is gone (deleted meanwhile, as
        `clearsessions` does once it has expired), which the session middleware answers as it does Django's own."""
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session())
        connection = connections[router.db_for_write(self.model, instance=obj)]
        try:
            with connection.cursor() as cursor:
                cursor.execute(_UPDATE, [obj.session_data, connection.ops.adapt_datetimefield_value(obj.expire_date),
                                         obj.session_key])
                updated = cursor.rowcount
        except DatabaseError as error:
            raise UpdateError from error
        if updated != 1:
            raise UpdateError
