"""The Chalice application class.

Chalice keeps the request being handled in `app.current_request`, one attribute on the shared app.
In a Lambda that is fine (one request at a time), but `chalice local` and the race tests serve requests
on many threads at once, where a shared attribute would hand one request's headers to another. Here it
is thread-local, so concurrency tests exercise the real code path safely.
"""
from __future__ import annotations

import threading

from chalice import Chalice


class PaperclipChalice(Chalice):
    _request_state = threading.local()

    @property  # type: ignore[override]
    def current_request(self):
        return getattr(self._request_state, "request", None)

    @current_request.setter
    def current_request(self, value) -> None:
        self._request_state.request = value
