"""Pipeline: per row, fetch into a fresh temp dir, call the user's function, upload what it returns.

Rows run in parallel in the engine (``Options.parallel_rows``); the function runs in the calling
process's threads (``fn_executor="thread"``, the default: the GIL is released around all I/O) or
in a process pool (``fn_executor="process"``: the function and its arguments must pickle).
Every input row is accounted for: see ``on_error``.  Outputs are written under their final names
only when complete, and a small manifest under ``into_path/_lakepack/`` lets a re-run skip the
rows a previous run finished (a re-run of a finished job writes nothing).
"""
from __future__ import annotations

import inspect
import os
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from .. import _lakepack
from . import _frames
from ._options import Options, resolve

FnResult = Optional[Mapping[str, Union[str, os.PathLike]]]


def _takes_output_dir(fn: Callable) -> bool:
    """file_dataset's README passes (input_dir, output_dir); its code passes (temp_dir) only."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return True
    return len(positional) >= 2


def _call_fn(fn: Callable, in_dir: str, out_dir: str, two_dirs: bool) -> List[Tuple[str, str]]:
    """Runs the user's function on one row's dirs; its outputs as (name, path) pairs."""
    result = fn(Path(in_dir), Path(out_dir)) if two_dirs else fn(Path(in_dir))
    if result is None:  # everything the function left in output_dir
        out = Path(out_dir)
        return sorted((p.name, str(p)) for p in out.iterdir() if p.is_file())
    if not isinstance(result, Mapping):
        raise TypeError(f"the pipeline function returned {type(result).__name__}; expected a "
                        "dict of output file name -> path (or None: all files in output_dir)")
    pairs = []
    for name, path in result.items():
        if path is None:  # file_dataset allows None for "no such output"
            continue
        p = Path(path)
        if not p.is_absolute():
            p = Path(out_dir) / p
        pairs.append((str(name), str(p)))
    return pairs


def _error_text(e: BaseException) -> str:
    tb = traceback.extract_tb(e.__traceback__)
    where = f" (at {tb[-1].filename}:{tb[-1].lineno})" if tb else ""
    return f"{type(e).__name__}: {e}{where}"


class Pipeline:
    """A per-row pipeline, callable on a data frame (pandas, polars or pyarrow); picklable.

    Args:
        fn: ``fn(input_dir, output_dir) -> {name: path}`` (or ``fn(input_dir)``); ``None``
            means every file it left in ``output_dir``.
        write_options: ``{"into_path": ...}``: outputs go to ``into_path/<id>/<name>``.
        options: :class:`Options` (storage, parallelism); credentials are resolved in each process.
        into_path: the same as ``write_options["into_path"]`` (file_dataset's code uses this).
        on_error: ``"raise"`` (default): after the whole frame, raise :class:`RowsFailed` with
            ``.failures`` (row, id, column, stage, error, attempts) and ``.succeeded`` (the
            output frame of the rows that worked); ``"report"``: every row, with ``status``,
            ``stage`` and ``error`` columns; ``"drop"``: drop failed rows with a warning.
        fn_executor: ``"thread"`` (default) or ``"process"``.
        max_workers: rows in ``fn`` at once (default: ``options.parallel_rows`` for threads,
            the CPU count for processes).
        resume: keep the manifest and skip finished rows (default True).
        temp_dir: where per-row temp dirs go (default: the system temp dir).
    """

    def __init__(self, fn: Callable[..., FnResult], write_options: Optional[Dict[str, Any]] = None,
                 options: Optional[Options] = None, *, into_path: Any = None,
                 on_error: str = "raise", fn_executor: str = "thread",
                 max_workers: Optional[int] = None, resume: bool = True,
                 temp_dir: Optional[str] = None):
        write_options = dict(write_options or {})
        if into_path is None:
            into_path = write_options.pop("into_path", None)
        if into_path is None:
            raise ValueError("Pipeline needs write_options={'into_path': ...}")
        if write_options:
            raise TypeError(f"unknown write_options: {sorted(write_options)}")
        if fn_executor not in ("thread", "process"):
            raise ValueError("fn_executor must be 'thread' or 'process'")
        self.fn = fn
        self.into_path = os.fspath(into_path)
        self.options = resolve(options)
        self.on_error = _frames.check_on_error(on_error)
        self.fn_executor = fn_executor
        self.max_workers = max_workers
        self.resume = resume
        self.temp_dir = temp_dir
        self._pool = None
        self.last_run: Dict[str, Any] = {}

    @property
    def write_options(self) -> Dict[str, Any]:
        return {"into_path": self.into_path}

    # Pickles as its settings: the process pool (if any) is made again where it is used.
    def __getstate__(self) -> Dict[str, Any]:
        state = dict(self.__dict__)
        state["_pool"] = None
        state["last_run"] = {}
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _executor(self):
        if self._pool is None:
            import concurrent.futures
            import multiprocessing
            ctx = multiprocessing.get_context("spawn")  # no fork of a threaded process
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.max_workers or os.cpu_count() or 2, mp_context=ctx)
        return self._pool

    def close(self) -> None:
        """Shuts down the process pool of ``fn_executor="process"`` (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 -- interpreter shutdown
            pass

    def __call__(self, dataframe: Any) -> Any:
        frame = _frames.from_frame(dataframe, _file_columns(dataframe))
        if frame.ids is None:
            raise ValueError("Pipeline: the data frame needs an 'id' column")
        two_dirs = _takes_output_dir(self.fn)
        fn, process = self.fn, self.fn_executor == "process"
        pool = self._executor() if process else None

        def row_call(row: int, in_dir: str, out_dir: str):
            try:
                if process:
                    return pool.submit(_call_fn, fn, in_dir, out_dir, two_dirs).result()
                return _call_fn(fn, in_dir, out_dir, two_dirs)
            except Exception as e:  # noqa: BLE001 -- the row fails at stage "fn", others go on
                return _error_text(e)

        parallel_fn = self.max_workers or (os.cpu_count() or 2 if process else 0)
        stream, outcomes, written = _lakepack.files_pipeline(
            frame.table, row_call, self.into_path, self.temp_dir or "", self.resume,
            int(parallel_fn), self.options._native())
        self.last_run = {"objects_written": written, "rows": frame.num_rows,
                         "skipped": sum(outcomes["skipped"]),
                         "failed": outcomes["ok"].count(False)}
        table = _frames.with_ids_first(_frames.read_stream(stream), frame, True)
        kind = "pandas" if frame.kind == "row" else frame.kind
        return _frames.finish(frame, table, outcomes, self.on_error, "Pipeline",
                              convert=lambda t: _frames.to_kind(t, kind))


def _file_columns(df: Any) -> Optional[List[str]]:
    """file_dataset's rule: besides ``id``, the columns named like files (``name.ext``)."""
    names = [str(c) for c in (df.column_names if hasattr(df, "column_names") else df.columns)]
    cols = [c for c in names if c != "id" and "." in c and c.rsplit(".", 1)[-1].isalnum()]
    if not cols:
        raise ValueError("No file columns found: file columns are named like files "
                         "(e.g. 'image.mha', 'mask.png') and hold paths or URLs")
    return cols
