"""The one error type of the thread protocol, shared by services, consumer and API."""

# Each code of docs/threads-protocol.md and the HTTP status the API answers with.
HTTP_STATUS = {
    "auth_required": 401,
    "forbidden": 403,
    "invalid": 400,
    "too_long": 413,
    "empty": 400,
    "not_found": 404,
    "rate_limited": 429,
    "unavailable": 503,
}


class ThreadError(Exception):
    """A request the thread refuses; ``code`` is part of the public protocol."""

    def __init__(self, code: str, message: str, *, retry_after: int | None = None) -> None:
        if code not in HTTP_STATUS:
            raise ValueError(f"unknown thread error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.retry_after is not None:
            data["retry_after"] = self.retry_after
        return data
