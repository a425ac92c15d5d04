"""Packing tables into evenly and exactly sized files: lakepack.pack() and the s3_data_packer
compatible classes S3TableStore, S3OutputStore and S3DataPacker (same names, parameters,
properties and methods; local paths work as well as ``s3://``)."""
from __future__ import annotations

import json
import os
import re
import tempfile
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _lakepack
from .errors import InvalidArgument, NotFound
from .options import StoreOptions, csv_dialect
from .store import Store

#: 0.256 GB, the reference's default ``file_limit_gigabytes`` (decimal, like lakepack's sizes).
DEFAULT_FILE_LIMIT_GIGABYTES = 0.256
# Gigabytes are decimal (10**9 bytes), as the default limit 256*10^-3 suggests.
_GB = 1000 ** 3
# The pack job's own state objects live here inside a table directory; they are not data files.
_STATE_DIR = "_lakepack/"


def _join(base: str, *parts: str) -> str:
    out = base.rstrip("/")
    for p in parts:
        if p:
            out += "/" + p.strip("/")
    return out


def _partition_path(partition: Optional[Mapping[str, Any]]) -> str:
    if not partition:
        return ""
    return "".join(f"{k}={v}/" for k, v in partition.items())


def _has_extension(name: str, ext: Optional[str]) -> bool:
    return not ext or name.endswith("." + ext.lstrip("."))


# Units of a read_chunksize string: decimal like lakepack's sizes, binary with "i".
_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000 ** 2, "mb": 1000 ** 2,
               "mib": 1024 ** 2, "g": 1000 ** 3, "gb": 1000 ** 3, "gib": 1024 ** 3}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def _chunksize_bytes(read_chunksize: Union[None, int, str]) -> int:
    """``read_chunksize`` as bytes read at a time (0: the reader's default).  An int is bytes; a
    string is a size such as ``"64MB"``, ``"500 KB"`` or ``"1GiB"``.  Raises InvalidArgument (a
    ValueError) for anything else."""
    if read_chunksize is None:
        return 0
    if isinstance(read_chunksize, bool) or not isinstance(read_chunksize, (int, str)):
        raise InvalidArgument("read_chunksize must be a positive int (bytes) or a size string "
                              f"like '64MB', got {read_chunksize!r}")
    if isinstance(read_chunksize, int):
        value = read_chunksize
    else:
        m = _SIZE_RE.match(read_chunksize)
        unit = _SIZE_UNITS.get(m.group(2).lower()) if m else None
        if unit is None:
            raise InvalidArgument(f"read_chunksize {read_chunksize!r} is not a size "
                                  "(e.g. '64MB', '500 KB', '1GiB', or an int of bytes)")
        value = int(float(m.group(1)) * unit)
    if value <= 0:
        raise InvalidArgument(f"read_chunksize must be positive, got {read_chunksize!r}")
    return value


def pack(input_base: str, output_base: str, table: str, suffix: Optional[str] = None,
         file_limit_bytes: int = _lakepack.DEFAULT_FILE_LIMIT_BYTES, in_ext: Optional[str] = None,
         out_ext: str = "snappy.parquet", partition: Optional[Mapping[str, Any]] = None,
         input_partition_name: Optional[str] = None, schema: Optional[str] = None,
         cast_parquet: bool = False, dry_run: bool = False,
         lock_timeout_seconds: int = _lakepack.DEFAULT_LOCK_TIMEOUT_SECONDS,
         wait_seconds: int = 0, read_block_bytes: Optional[int] = None,
         options: Optional[StoreOptions] = None, on_schema_mismatch: str = "fail",
         append_mode: str = "rewrite-latest", force: bool = False,
         delimiter: Optional[str] = None, header: bool = True, quote: Optional[str] = '"',
         null_values: Optional[Sequence[str]] = None, **kwargs: Any) -> Dict[str, Any]:
    """Packs the files of ``input_base/table/**`` into ``output_base/table/[k=v/]`` as
    ``table[_suffix]_N.out_ext`` files of exactly ``file_limit_bytes`` (the last one smaller),
    appending to the latest existing file (like ``lakepack pack``).

    Streaming (bounded memory), idempotent (a re-run packs only new inputs) and crash-safe (a
    killed run is recovered by the next one).  Runs with the GIL released.  Ctrl-C cancels
    within a fraction of a second: the files this run wrote are taken back, the latest file is
    as it was, and KeyboardInterrupt is raised; a re-run then packs everything exactly once.

    ``read_block_bytes`` is how many bytes of a CSV / JSON Lines input are parsed at a time
    (also the span column types are inferred from); the default is the reader's (4 MB, streamed
    in 1 MB blocks).  Parquet inputs are read a row group's batches at a time.

    ``on_schema_mismatch`` decides what happens when an input's columns differ from the target
    schema (the schema file, else the latest output file's, else the first input's), the same
    for every input format: ``"fail"`` (the default) raises InvalidData naming the input and the
    columns before anything is written; ``"union"`` adds the new columns (nullable; the latest
    file is rewritten with them, rows without them hold null); ``"drop"`` keeps the target's
    columns (extra ones dropped, missing ones null).  A column whose values are all null (Arrow
    type null) takes any other input's type.

    ``append_mode``: ``"rewrite-latest"`` (the default, the reference's semantics) rewrites a
    latest file under the limit with the new rows first; ``"new-file"`` keeps it and starts the
    next file, so no run re-reads old bytes (files may then end under the limit).

    ``force``: accept a ``file_limit_bytes`` under 1 MB (``InvalidArgument`` otherwise: such a
    limit is almost always a forgotten unit).

    ``delimiter``, ``header``, ``quote``, ``null_values``: how every CSV input of the run is read
    (one dialect per run; see :func:`lakepack.options.csv_dialect`).  Inputs are matched by
    extension in any case (``a.CSV``), ``.tsv`` is tab-separated, and ``.gz`` / ``.zst`` after a
    CSV or JSON Lines extension are decompressed as they stream; other files are listed as
    skipped in ``plan``.

    Returns the report: ``files`` (``uri``, ``rows``, ``bytes``), ``inputs``, ``rows``,
    ``input_bytes``, ``already_packed``, ``rewrote_latest``, ``recovered``, ``generation``,
    ``input_partition_values``, ``seconds``, ``plan``, ``dry_run``.
    """
    o = _lakepack.PackOptions()
    o.input_base, o.output_base, o.table = str(input_base), str(output_base), table
    o.suffix = suffix or ""
    o.file_limit_bytes = int(file_limit_bytes)
    o.force = bool(force)
    o.in_ext = in_ext or ""
    o.out_ext = out_ext or "snappy.parquet"
    o.partition = [(str(k), str(v)) for k, v in (partition or {}).items()]
    o.input_partition_name = input_partition_name or ""
    o.schema_file = schema or ""
    o.cast_parquet = bool(cast_parquet)
    o.dry_run = bool(dry_run)
    o.lock_timeout_seconds = int(lock_timeout_seconds)
    o.wait_seconds = int(wait_seconds)
    o.read_block_bytes = int(read_block_bytes or 0)
    if append_mode not in ("rewrite-latest", "new-file"):
        raise InvalidArgument(f"append_mode must be 'rewrite-latest' or 'new-file', not {append_mode!r}")
    o.append_new_file = append_mode == "new-file"
    o.on_schema_mismatch = str(on_schema_mismatch or "fail")
    o.csv = csv_dialect(delimiter, header, quote, null_values)
    o.store = StoreOptions.from_kwargs(options, **kwargs)._native()
    return _lakepack.pack(o)


def _state_options(output_base: str, table: str, suffix: Optional[str], out_ext: Optional[str],
                   partition: Optional[Mapping[str, Any]], options: Optional[StoreOptions],
                   **kwargs: Any) -> Any:
    o = _lakepack.PackStateOptions()
    o.output_base, o.table = str(output_base), table
    o.suffix = suffix or ""
    o.out_ext = out_ext or "snappy.parquet"
    o.partition = [(str(k), str(v)) for k, v in (partition or {}).items()]
    o.store = StoreOptions.from_kwargs(options, **kwargs)._native()
    return o


def pack_status(output_base: str, table: str, suffix: Optional[str] = None,
                out_ext: str = "snappy.parquet", partition: Optional[Mapping[str, Any]] = None,
                options: Optional[StoreOptions] = None, **kwargs: Any) -> Dict[str, Any]:
    """The pack state of ``output_base/table`` (``lakepack pack --status --json``): ``intents``
    and ``commits`` (generations), ``lock`` (``held``, ``state``, ``owner``, ``live``...),
    ``last_commit`` (``inputs``, ``files``...) and ``garbage``.  Raises NotFound when the table
    was never packed with these names."""
    return _lakepack.pack_status(_state_options(output_base, table, suffix, out_ext, partition,
                                                options, **kwargs))


def pack_unlock(output_base: str, table: str, yes: bool = False, force: bool = False,
                suffix: Optional[str] = None, out_ext: str = "snappy.parquet",
                partition: Optional[Mapping[str, Any]] = None,
                options: Optional[StoreOptions] = None, **kwargs: Any) -> Dict[str, Any]:
    """Releases a crashed run's lock so the next pack recovers it now (``lakepack pack
    --unlock``).  Raises InvalidArgument, naming the owner, unless ``yes``; a live lock also needs
    ``force``.  Returns ``unlocked``, ``message`` and ``lock``."""
    return _lakepack.pack_unlock(_state_options(output_base, table, suffix, out_ext, partition,
                                                options, **kwargs), bool(yes), bool(force))


def pack_gc(output_base: str, table: str, dry_run: bool = True, suffix: Optional[str] = None,
            out_ext: str = "snappy.parquet", partition: Optional[Mapping[str, Any]] = None,
            options: Optional[StoreOptions] = None, **kwargs: Any) -> Dict[str, Any]:
    """Removes old intents, leases and base copies no committed state needs (``lakepack pack
    --gc``); with ``dry_run`` (the default) only lists them.  Returns ``removed`` and ``kept``."""
    return _lakepack.pack_gc(_state_options(output_base, table, suffix, out_ext, partition,
                                            options, **kwargs), bool(dry_run))


class S3TableStore:
    """Lists the files of a table: everything under ``basepath/table_name/``.

    Setting ``basepath`` or ``table_name`` re-lists (``_reset``) once both are set.

    Args:
        basepath: ``s3://bucket/prefix`` or a local directory holding one folder per table.
        table_name: the table (folder) name.
        table_extension: only files with this extension (csv, jsonl, parquet, snappy.parquet).
        partition_name: a partition key whose values among the files fill ``partition_values``.
        options: :class:`StoreOptions` for reaching the store.
    """

    _attrs_needed_for_reset = ["basepath", "table_name"]

    def __init__(self, basepath: str, table_name: Optional[str] = None,
                 table_extension: Optional[str] = None, partition_name: Optional[str] = None,
                 options: Optional[StoreOptions] = None):
        self._ready = False
        self.options = options if options is not None else StoreOptions()
        self.table_extension = table_extension
        self.partition_name = partition_name
        self.table_log: Dict[str, List[str]] = {}
        self.partition_values: List[str] = []
        self._basepath: Optional[str] = None
        self._table_name: Optional[str] = None
        self.basepath = basepath
        self.table_name = table_name
        self._ready = True
        self._reset()

    @property
    def basepath(self) -> Optional[str]:
        """The folder holding the tables (setting it re-lists the table)."""
        return self._basepath

    @basepath.setter
    def basepath(self, value: str) -> None:
        self._basepath = str(value).rstrip("/") if value is not None else None
        self._reset()

    @property
    def table_name(self) -> Optional[str]:
        """The table (setting it re-lists the table)."""
        return self._table_name

    @table_name.setter
    def table_name(self, value: Optional[str]) -> None:
        self._table_name = value
        self._reset()

    def _can_reset(self) -> bool:
        return getattr(self, "_ready", False) and all(
            getattr(self, a) is not None for a in self._attrs_needed_for_reset)

    def _reset(self) -> None:
        if self._can_reset():
            self._init_table_log()

    def _get_table_basepath(self) -> str:
        """``basepath/table_name/``."""
        return _join(self.basepath, self.table_name) + "/"

    def _list_files(self, directory: str, recursive: bool) -> List[Dict[str, Any]]:
        try:
            entries = Store(directory, self.options).list("", recursive=recursive)
        except NotFound:
            return []
        return [e for e in entries if not e.get("prefix")
                and not e["key"].startswith(_STATE_DIR)
                and not os.path.basename(e["key"]).startswith(".")]

    def _init_table_log(self) -> None:
        """Lists ``basepath/table_name/**`` into ``table_log``."""
        files = [e["key"] for e in self._list_files(self._get_table_basepath(), True)
                 if _has_extension(e["key"], self.table_extension)]
        self.table_log = {self.table_name: files}
        values = set()
        if self.partition_name:
            for f in files:
                for part in f.split("/")[:-1]:
                    k, sep, v = part.partition("=")
                    if sep and k == self.partition_name:
                        values.add(v)
        self.partition_values = sorted(values)

    def get_files_from_table_log(self, full_path: bool = False) -> List[str]:
        """The table's files: relative to the table folder, or (``full_path``) as full paths /
        ``s3://`` URIs."""
        if not self._can_reset():
            raise InvalidArgument("set basepath and table_name first")
        files = self.table_log.get(self.table_name, [])
        if full_path:
            return [self._get_table_basepath() + f for f in files]
        return list(files)


class S3OutputStore(S3TableStore):
    """The output files of a table, ``{table_name}[_{table_suffix}]_{N}.{table_extension}``, in
    ``basepath/table_name/[partition/]``: which is the latest and whether it still has room.

    Args (beyond :class:`S3TableStore`'s):
        table_extension: default ``snappy.parquet``.
        file_limit_gigabytes: size (decimal GB) at which a file is full; default 0.256.
        table_suffix: goes between the table name and the file number.
        partition: ``{"key": "value", ...}``: only this partition is considered and written.
    """

    def __init__(self, basepath: str, table_name: Optional[str] = None,
                 table_extension: str = "snappy.parquet",
                 file_limit_gigabytes: Union[int, float] = DEFAULT_FILE_LIMIT_GIGABYTES,
                 table_suffix: Optional[str] = None, partition: Optional[Dict[str, Any]] = None,
                 partition_name: Optional[str] = None, options: Optional[StoreOptions] = None):
        self.file_limit_gigabytes = file_limit_gigabytes
        self.table_suffix = table_suffix
        self.partition = partition
        self.filenum = 0
        self.latest_file: Optional[str] = None
        super().__init__(basepath, table_name, table_extension or "snappy.parquet",
                         partition_name, options)

    def _stem(self) -> str:
        return f"{self.table_name}_{self.table_suffix}" if self.table_suffix else self.table_name

    def _get_table_basepath(self) -> str:
        return _join(self.basepath, self.table_name, _partition_path(self.partition)) + "/"

    def _init_table_log(self) -> None:
        pattern = re.compile(re.escape(self._stem()) + r"_(\d+)\." + re.escape(
            (self.table_extension or "").lstrip(".")) + "$")
        files = [e["key"] for e in self._list_files(self._get_table_basepath(), False)
                 if pattern.match(e["key"])]
        self.table_log = {self.table_name: files}
        self.partition_values = []

    def _reset(self) -> None:
        if self._can_reset():
            self._init_table_log()
            self._set_latest_filenum()

    @staticmethod
    def _get_filenum_from_filename(f: str) -> int:
        """The file number: the last ``_`` part before the first ``.`` of the base name."""
        base = f.rstrip("/").rsplit("/", 1)[-1]
        number = base.split(".", 1)[0].rsplit("_", 1)[-1]
        if not number.isdigit():
            raise InvalidArgument(f"{f}: no file number before the extension")
        return int(number)

    def _get_latest_file_by_suffix(self, files: List[str], maxim: bool = True,
                                   full_path: bool = False) -> Optional[str]:
        """The file with the highest (``maxim``) or lowest number, or None."""
        if not files:
            return None
        pick = max if maxim else min
        f = pick(files, key=self._get_filenum_from_filename)
        if full_path and not f.startswith(self._get_table_basepath()):
            return self._get_table_basepath() + f
        return f

    def _set_latest_filenum(self) -> None:
        files = self.get_files_from_table_log()
        self.latest_file = self._get_latest_file_by_suffix(files)
        self.filenum = self._get_filenum_from_filename(self.latest_file) if files else 0

    def _file_limit_bytes(self) -> int:
        return int(round(float(self.file_limit_gigabytes) * _GB))

    def _should_append_data(self) -> bool:
        """True if the latest file exists and is smaller than the file limit."""
        if not self.latest_file:
            return False
        size = Store(self._get_table_basepath(), self.options).head(self.latest_file)["size"]
        return size < self._file_limit_bytes()

    def _get_filename(self, full_path: bool = False) -> str:
        """``{table_name}[_{table_suffix}]_{filenum}.{table_extension}`` (optionally full)."""
        name = f"{self._stem()}_{self.filenum}.{self.table_extension.lstrip('.')}"
        return self._get_table_basepath() + name if full_path else name


class S3DataPacker:
    """Packs a table's input files (csv, jsonl, parquet) into evenly sized output files, filling
    the latest existing output file first: the s3_data_packer API on lakepack's streaming,
    exact-size, crash-safe pack job.

    Args:
        input_basepath: folder (``s3://`` or local) holding ``table_name/`` with the inputs.
        output_basepath: folder receiving ``table_name/[partition/]`` with the outputs.
        table_name: the table.
        metadata: column types: a lakepack JSON schema file path / URI, or a dict in that format
            (``{"columns": [{"name": ..., "type": ...}]}``).
        output_file_ext: default ``snappy.parquet``.
        input_file_ext: only inputs with this extension.
        cast_parquet: cast Parquet inputs to the target schema.
        output_suffix: see ``table_suffix``.
        file_limit_gigabytes: output file size (decimal GB); default 0.256.
        output_partition: ``{"key": "value"}``: the partition written to.
        input_partition_name: fills ``input_store.partition_values``.
        read_chunksize: how much of a CSV / JSON Lines input is read at a time: an int of
            bytes, or a size string such as ``"64MB"`` (as in the reference).  Unlike the
            reference, whose int counts rows, an int is bytes here: lakepack's readers parse
            blocks of bytes.  None keeps the reader's default; lakepack always streams in
            bounded memory.  An invalid value raises :class:`InvalidArgument` (a ValueError).
        options: :class:`StoreOptions`.
        on_schema_mismatch: ``"fail"`` (default), ``"union"`` or ``"drop"``: see :func:`pack`.
    """

    def __init__(self, input_basepath: str, output_basepath: str, table_name: str,
                 metadata: Union[None, str, Dict[str, Any]] = None,
                 output_file_ext: str = "snappy.parquet", input_file_ext: Optional[str] = None,
                 cast_parquet: bool = False, output_suffix: Optional[str] = None,
                 file_limit_gigabytes: Union[int, float] = DEFAULT_FILE_LIMIT_GIGABYTES,
                 output_partition: Optional[Dict[str, Any]] = None,
                 input_partition_name: Optional[str] = None,
                 read_chunksize: Union[None, int, str] = None,
                 options: Optional[StoreOptions] = None, on_schema_mismatch: str = "fail"):
        self.input_basepath = input_basepath
        self.output_basepath = output_basepath
        self.table_name = table_name
        self.metadata = metadata
        self.output_file_ext = output_file_ext or "snappy.parquet"
        self.input_file_ext = input_file_ext
        self.cast_parquet = cast_parquet
        self.output_suffix = output_suffix
        self.file_limit_gigabytes = file_limit_gigabytes
        self.output_partition = output_partition
        self.input_partition_name = input_partition_name
        _chunksize_bytes(read_chunksize)  # fail early on a bad value
        self.read_chunksize = read_chunksize
        self.on_schema_mismatch = on_schema_mismatch
        self.options = options if options is not None else StoreOptions()
        self.input_store = S3TableStore(input_basepath, table_name, input_file_ext,
                                        input_partition_name, self.options)
        self.output_store = S3OutputStore(output_basepath, table_name, self.output_file_ext,
                                          file_limit_gigabytes, output_suffix, output_partition,
                                          options=self.options)
        self.file_size_on_disk: Optional[int] = None
        self.last_report: Optional[Dict[str, Any]] = None

    def _data_to_add(self) -> bool:
        """True if the input table has any files."""
        return bool(self.input_store.get_files_from_table_log())

    def pack_data(self, dry_run: bool = False) -> Dict[str, Any]:
        """Packs every input not packed before into
        ``output_basepath/table_name/[partition/]`` files of about ``file_limit_gigabytes``
        (exactly, except the last), appending to the latest existing one.  Returns the pack
        report (see :func:`lakepack.pack`); also kept as ``last_report``.  Ctrl-C cancels
        cleanly (KeyboardInterrupt; the output is left as it was before the call)."""
        with tempfile.TemporaryDirectory(prefix="lakepack-meta-") as tmp:
            schema = self._schema_file(tmp)
            report = pack(self.input_basepath, self.output_basepath, self.table_name,
                          suffix=self.output_suffix,
                          file_limit_bytes=self.output_store._file_limit_bytes(),
                          in_ext=self.input_file_ext, out_ext=self.output_file_ext,
                          partition=self.output_partition,
                          input_partition_name=self.input_partition_name, schema=schema,
                          cast_parquet=self.cast_parquet, dry_run=dry_run,
                          read_block_bytes=_chunksize_bytes(self.read_chunksize),
                          options=self.options, on_schema_mismatch=self.on_schema_mismatch,
                          force=True)  # the reference has no floor on the limit
        self.file_size_on_disk = report["input_bytes"]
        self.last_report = report
        if not dry_run:
            self.input_store._reset()
            self.output_store._reset()
        return report

    def _state_kwargs(self) -> Dict[str, Any]:
        return dict(suffix=self.output_suffix, out_ext=self.output_file_ext,
                    partition=self.output_partition, options=self.options)

    def pack_status(self) -> Dict[str, Any]:
        """The output table's pack state: see :func:`pack_status`."""
        return pack_status(self.output_basepath, self.table_name, **self._state_kwargs())

    def unlock(self, yes: bool = False, force: bool = False) -> Dict[str, Any]:
        """Releases a crashed run's lock: see :func:`pack_unlock`."""
        return pack_unlock(self.output_basepath, self.table_name, yes=yes, force=force,
                           **self._state_kwargs())

    def gc(self, dry_run: bool = True) -> Dict[str, Any]:
        """Removes state no committed run needs (a dry run by default): see :func:`pack_gc`."""
        return pack_gc(self.output_basepath, self.table_name, dry_run=dry_run,
                       **self._state_kwargs())

    def _schema_file(self, tmp: str) -> Optional[str]:
        if self.metadata is None:
            return None
        if isinstance(self.metadata, (str, os.PathLike)):
            return os.fspath(self.metadata)
        if isinstance(self.metadata, dict) and "columns" in self.metadata:
            path = os.path.join(tmp, "schema.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"columns": self.metadata["columns"]}, f)
            return path
        raise InvalidArgument(
            "metadata must be a schema file path / URI or a dict with 'columns' "
            f"(got {type(self.metadata).__name__})")
