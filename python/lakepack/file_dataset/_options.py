"""Options of the file_dataset jobs: plain, picklable values (never credentials, never SDK objects)."""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, Optional

from ..options import _repr_redacted


@dataclasses.dataclass(frozen=True)
class Options:
    """How file_dataset reaches storage and how much it does at once.

    Plain values only, so an Options pickles into Ray workers or subprocesses unchanged.
    Credentials are never stored: each process resolves them again from the AWS environment
    (``AWS_ACCESS_KEY_ID`` ..., ``AWS_PROFILE``, ``~/.aws`` files, ``credential_process``) when
    it first opens a bucket, so long jobs do not die when a frozen token expires.

    Attributes:
        endpoint_url: S3 endpoint (default: ``AWS_ENDPOINT_URL``).
        region: S3 region (default: ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` / the profile's).
        profile: AWS profile (default: ``AWS_PROFILE``).
        max_retries: retries of one S3 request on transient errors (default 8).
        ca_bundle: PEM file of the CAs to trust for ``https://`` (default: ``AWS_CA_BUNDLE``;
            a path given as ``s3_client_kwargs["verify"]`` is used too).
        max_attempts: attempts of one whole file transfer on transient errors (default 3).
        parallel_rows: rows in flight at once (default 32).
        parallel_files: files of one row transferred at once (default 8).
        max_bytes_in_flight: bytes transfers hold in memory at once (default 512 MiB).
        session_kwargs / s3_client_kwargs: accepted for compatibility with file_dataset's
            ``S3Options``; ``profile_name``, ``region_name``, ``endpoint_url`` and a ``verify``
            path are used.

    The repr never shows a user name or password written into ``endpoint_url``.
    """

    endpoint_url: Optional[str] = None
    region: Optional[str] = None
    profile: Optional[str] = None
    max_retries: Optional[int] = None
    ca_bundle: Optional[str] = None
    max_attempts: int = 3
    parallel_rows: int = 32
    parallel_files: int = 8
    max_bytes_in_flight: int = 512 << 20
    session_kwargs: Optional[Dict[str, Any]] = None
    s3_client_kwargs: Optional[Dict[str, Any]] = None

    def __repr__(self) -> str:
        return _repr_redacted(self)

    @classmethod
    def default(cls, **overrides: Any) -> "Options":
        """The defaults (``adaptive`` retries of the S3 client are built in), with overrides."""
        return cls(**overrides)

    def replace(self, **changes: Any) -> "Options":
        return dataclasses.replace(self, **changes)

    def _native(self) -> Dict[str, Any]:
        session = self.session_kwargs or {}
        client = self.s3_client_kwargs or {}
        d: Dict[str, Any] = {
            "endpoint_url": self.endpoint_url or client.get("endpoint_url") or "",
            "region": self.region or client.get("region_name") or session.get("region_name") or "",
            "profile": self.profile or session.get("profile_name") or "",
            "ca_bundle": self.ca_bundle or
            (client.get("verify") if isinstance(client.get("verify"), str) else "") or "",
            "max_attempts": int(self.max_attempts),
            "parallel_rows": int(self.parallel_rows),
            "parallel_files": int(self.parallel_files),
            "max_bytes_in_flight": int(self.max_bytes_in_flight),
        }
        if self.max_retries is not None:
            d["max_retries"] = int(self.max_retries)
        return d


# file_dataset's name for the same thing.
S3Options = Options


def resolve(options: Optional[Options]) -> Options:
    if options is None:
        return Options()
    if not isinstance(options, Options):
        raise TypeError(f"options must be a file_dataset.Options, not {type(options).__name__}")
    return options
