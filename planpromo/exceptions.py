"""Framework-neutral exceptions the services raise; the API exception handler and the views map them."""


class VersionConflict(Exception):
    """The client wrote from a stale version of an object (a lost update refused). `via_if_match` tells the API
    whether the version came as an If-Match header (412) or in the body (409)."""

    def __init__(self, *, current_version: int, sent_version, via_if_match: bool = False):
        self.current_version, self.sent_version, self.via_if_match = current_version, sent_version, via_if_match
        super().__init__(
            f"This report has changed since you read it (you sent version {sent_version}, it is now at version "
            f"{current_version}). Reload it and apply your changes again."
        )
