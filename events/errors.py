"""The one exception tree of buying-groups.

::

    BuyingGroupsError            anything this software raises on purpose
    ├── BadInput                 the input itself is wrong; never retried:
    │                            dead-lettered or refused with a reason
    └── Unavailable              infrastructure (broker, Redis, schema registry) did not answer;
                                 retried with bounded backoff

Messages name the field and the value, never personal data (emails, names, phones): use ids.
Third-party errors are translated at the boundary with ``raise ... from exc``.

Where input is concerned, failures are usually values (``events.codec.DecodeFailure``); these
exceptions are for the places where a value cannot be returned.
"""

from __future__ import annotations


class BuyingGroupsError(Exception):
    """Root of every error this software raises on purpose."""


class BadInput(BuyingGroupsError):  # noqa: N818 - the agreed name; it reads as what it is
    """The input is wrong and retrying cannot help; the message names the field and the value."""


class Unavailable(BuyingGroupsError):  # noqa: N818 - the agreed name; it reads as what it is
    """An infrastructure service did not answer or failed; the operation may be retried."""
