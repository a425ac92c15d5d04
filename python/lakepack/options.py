"""StoreOptions: how to reach a store (endpoint, region, profile), picklable, without credentials."""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Optional

from . import _lakepack


@dataclasses.dataclass(frozen=True)
class StoreOptions:
    """Options for opening stores.

    Fields left ``None`` are resolved from the environment (``AWS_ENDPOINT_URL``, ``AWS_REGION`` /
    ``AWS_DEFAULT_REGION``, ``AWS_PROFILE`` and the ``~/.aws`` files) each time a store is opened.
    Credentials are never part of the options: they are re-resolved from the environment or
    profile in every process, so a pickled StoreOptions sent to a worker does not carry (or
    freeze) temporary credentials.

    Attributes:
        endpoint_url: S3 endpoint, e.g. ``"http://127.0.0.1:7480"`` (overrides AWS_ENDPOINT_URL).
        region: S3 region (overrides AWS_REGION / AWS_DEFAULT_REGION / the profile's).
        profile: AWS profile name (overrides AWS_PROFILE).
        max_retries: retries of transient S3 failures (default 8).
        ca_bundle: PEM file of the CAs to trust for ``https://`` endpoints instead of the system's
            (overrides AWS_CA_BUNDLE).  Certificates are always verified.

    The repr never shows a user name or password written into ``endpoint_url``.
    """

    endpoint_url: Optional[str] = None
    region: Optional[str] = None
    profile: Optional[str] = None
    max_retries: Optional[int] = None
    ca_bundle: Optional[str] = None

    def __repr__(self) -> str:
        return _repr_redacted(self)

    @classmethod
    def from_kwargs(cls, options: Optional["StoreOptions"] = None, **kwargs: Any) -> "StoreOptions":
        """``options`` updated with keyword values (unknown keywords raise TypeError)."""
        base = options if options is not None else cls()
        if not isinstance(base, StoreOptions):
            raise TypeError(f"options must be a lakepack.StoreOptions, not {type(base).__name__}")
        return dataclasses.replace(base, **kwargs) if kwargs else base

    def _native(self) -> "_lakepack.StoreOptions":
        o = _lakepack.StoreOptions()
        o.endpoint_url = self.endpoint_url or ""
        o.region = self.region or ""
        o.profile = self.profile or ""
        o.ca_bundle = self.ca_bundle or ""
        if self.max_retries is not None:
            if self.max_retries < 0:
                raise ValueError("max_retries must be >= 0")
            o.max_retries = int(self.max_retries)
        return o


def redact_url(url: Optional[str]) -> Optional[str]:
    """``url`` with any ``user:password@`` of its authority shown as ``***@`` (as the library does)."""
    if not url:
        return url
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", r"\1***@", url)


def _repr_redacted(obj: Any) -> str:
    """The dataclass repr of ``obj``, its ``endpoint_url`` redacted."""
    fields = ", ".join(
        f"{f.name}={(redact_url(v) if f.name == 'endpoint_url' else v)!r}"
        for f in dataclasses.fields(obj) if f.repr for v in [getattr(obj, f.name)])
    return f"{type(obj).__name__}({fields})"
