"""The one error every translation module raises for a problem the user can fix."""

from __future__ import annotations


class TranslationError(RuntimeError):
    """A package, mode or pair that cannot translate; the message names the file or pair."""
