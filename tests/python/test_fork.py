"""A Store used before fork() stays correct in the parent and in every child (issue 15).

The S3 transport pools keep-alive connections.  Before the fix, a child of
multiprocessing's default "fork" start method reused the parent's pooled connections, so
processes read each other's answers: get() returned another key's bytes or raw
"HTTP/1.1 206" text with no error, or stalled 30 s.  This is the probe's reproduction, on
the S3 test server (radosgw keeps connections alive), scaled to 10,000 calls."""
import multiprocessing as mp
import warnings

import lakepack

_store = None  # the Store the forked children inherit
_KEYS = [f"k{i}" for i in range(8)]
_CALLS = 10_000


def _body(name):
    return (name * 4096)[:4096].encode()


def _check(name):
    try:
        got = _store.get(name)
    except lakepack.LakepackError as e:
        return f"{type(e).__name__}: {e}"[:160]
    return None if got == _body(name) else f"get({name!r}) returned {got[:12]!r}..."


def test_store_used_before_fork_gives_every_process_its_own_answers(s3_base):
    global _store
    _store = lakepack.open_store(s3_base)
    for n in _KEYS:
        _store.put(n, _body(n))
    # Several idle keep-alive connections in the pool when the children are forked.
    assert all(_check(n) is None for n in _KEYS)
    half = _KEYS * (_CALLS // 2 // len(_KEYS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork of a threaded process
        with mp.get_context("fork").Pool(4) as pool:
            work = pool.map_async(_check, half, chunksize=25)
            parent = [_check(n) for n in half]
            child = work.get(timeout=120)
    results = child + parent
    wrong = [r for r in results if r]
    assert len(results) == _CALLS
    assert not wrong, f"{len(wrong)} wrong results of {len(results)}; first: {wrong[:3]}"
    _store.delete([n for n in _KEYS])
