"""The one error type for bad input: says where, which field, and what was expected."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input. ``str(err)`` is a single line naming source, location, field and expectation."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        location: str | None = None,
        field: str | None = None,
    ) -> None:
        self.source = source
        self.location = location
        self.field = field
        self.detail = message
        parts = [p for p in (source, location) if p]
        if field:
            parts.append(f"field '{field}'")
        prefix = ": ".join(parts)
        text = f"{prefix}: {message}" if prefix else message
        super().__init__(" ".join(text.split()))

    def within(self, source: str | None = None, location: str | None = None) -> InputError:
        """Return a copy of this error placed in an outer source/location (outer wins if unset)."""
        loc = self.location
        if location:
            loc = f"{location}, {loc}" if loc else location
        return InputError(
            self.detail, source=source or self.source, location=loc, field=self.field
        )
