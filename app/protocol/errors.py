"""The protocol layer's own errors: httpx's are turned into these at one boundary."""

from __future__ import annotations


class ServerError(Exception):
    """Talking to the server failed; the message is fit to show a user."""


class ServerUnreachable(ServerError):
    """No answer: refused, unresolvable, timed out or cut off."""


class BadAnswer(ServerError):
    """The server answered, but not with what the protocol says."""


class RequestRefused(ServerError):
    """The server answered ``success: false``; the message is the server's."""
