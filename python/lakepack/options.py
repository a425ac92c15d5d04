"""StoreOptions: how to reach a store (endpoint, region, profile), picklable, without credentials."""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Optional, Sequence

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


_QUOTE_DEFAULT = '"'


def csv_dialect(delimiter: Optional[str] = None, header: bool = True,
                quote: Optional[str] = _QUOTE_DEFAULT,
                null_values: Optional[Sequence[str]] = None) -> "_lakepack.CsvDialect":
    """How a CSV input is read (the CLI's --delimiter, --no-header, --quote, --null).

    ``delimiter``: one character; None means ',' (a tab for ``.tsv`` names).  ``header=False``:
    the first line is data and the columns are named f0, f1, ...  ``quote``: one character, or
    None for no quoting.  ``null_values``: unquoted fields spelled like one of these are null;
    None means only an empty field (the list replaces that default).  Raises InvalidArgument for
    an impossible dialect (a line break as delimiter, the delimiter equal to the quote).
    """
    from .errors import InvalidArgument
    for name, value in (("delimiter", delimiter), ("quote", quote)):
        if value is not None and (not isinstance(value, str) or len(value) != 1):
            raise InvalidArgument(f"{name} must be one character or None, not {value!r}")
    d = _lakepack.CsvDialect()
    d.delimiter = delimiter
    d.header = bool(header)
    d.quote = quote
    if null_values is not None:
        if isinstance(null_values, str):
            null_values = [null_values]
        d.null_values = [str(v) for v in null_values]
    d.validate()
    return d

