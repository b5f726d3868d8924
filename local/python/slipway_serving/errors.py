"""Errors that know the HTTP status they answer with."""


class ServingError(Exception):
    """A request the server answers with a 4xx or 5xx and a message, without crashing."""

    def __init__(self, status, message, kind=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind or type(self).__name__


class UnsupportedFormatError(ServingError):
    """A content type or accept the default handlers cannot decode or encode (the containers' own name)."""

    def __init__(self, status, content_type, role):
        super().__init__(
            status,
            "%s %r is not supported by the default %s; supported: application/json, text/csv, application/x-npy"
            " (implement %s in the inference script for other formats)"
            % ("Content type" if role == "input_fn" else "Accept", content_type, role, role),
        )


class ModelLoadError(Exception):
    """The user's model or handlers could not be loaded; the server exits non-zero with this message."""
