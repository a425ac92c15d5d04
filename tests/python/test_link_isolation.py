"""lakepack's own dependencies stay its own in a process that also holds pyarrow (issue 16, F2).

The pyarrow wheel's libparquet.so exports its own (newer) simdjson and its whole libcrypto.  A
process that loads pyarrow with RTLD_GLOBAL first (some frameworks set sys.setdlopenflags) used to
bind lakepack's simdjson calls to libparquet's copy, which crashed on the second JSON line, and
its SigV4 HMAC to libparquet's OpenSSL.  The extension now links them statically and hidden."""
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

import lakepack

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = pathlib.Path(lakepack.__file__).parent
MODULE = next(PACKAGE.glob("_lakepack*.so"))

# Symbols of the libraries lakepack links privately (simdjson, curl, OpenSSL, pugixml).
DEP_SYMBOL = re.compile(r"simdjson|pugi|^_?(curl|Curl)_|^(SSL|EVP|HMAC|SHA\d*|MD5|CRYPTO|OPENSSL|"
                        r"OSSL|ERR|BIO|X509|RAND|BN|ASN1)(_|$)")

PRELUDE = """
import os, sys
sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import pyarrow, pyarrow.parquet, pyarrow.json, pyarrow.dataset  # libparquet's symbols: global
import lakepack
"""


def run_global(tmp_path, body, **env):
    """Runs PRELUDE + body in a fresh interpreter; returns (returncode, stdout, stderr)."""
    script = tmp_path / "script.py"
    script.write_text(PRELUDE + textwrap.dedent(body))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **env})
    return proc.returncode, proc.stdout, proc.stderr


def lakepack_bindings_to_pyarrow(ld_debug_prefix):
    """(from, symbol, to) for each run-time binding, logged by LD_DEBUG=bindings, of a symbol of
    lakepack's private dependencies made from lakepack's files to one of pyarrow's libraries."""
    found = []
    pattern = re.compile(r"binding file (\S+) \[\d+\] to (\S+) \[\d+\]: \S+ symbol `([^']+)'")
    for log in ld_debug_prefix.parent.glob(ld_debug_prefix.name + ".*"):
        for line in log.read_text(errors="replace").splitlines():
            m = pattern.search(line)
            if not m:
                continue
            src, dst, sym = m.groups()
            if ("lakepack" in src or "simdjson" in src) and "pyarrow" in dst and DEP_SYMBOL.search(sym):
                found.append((os.path.basename(src), sym, os.path.basename(dst)))
    return found


def test_jsonl_reads_after_pyarrow_was_loaded_global(tmp_path):
    # The second line longer than the first made simdjson reallocate through libparquet's copy.
    path = tmp_path / "t.jsonl"
    path.write_text('{"a": 1}\n{"a": 1, "b": 22}\n' +
                    "".join('{"a": %d, "b": %d, "c": "%s"}\n' % (i, i * 7, "x" * (i % 50))
                            for i in range(2000)))
    ld_log = tmp_path / "ld"
    rc, out, err = run_global(tmp_path, f"""
        t = lakepack.read_batches({str(path)!r}).read_all()
        print(t.num_rows, t.column("a").to_pylist()[:3], t.column("b").to_pylist()[:2])
        lakepack.convert({str(path)!r}, {str(tmp_path / "t.parquet")!r})
        print(pyarrow.parquet.read_table({str(tmp_path / "t.parquet")!r}).num_rows)
    """, LD_DEBUG="bindings", LD_DEBUG_OUTPUT=str(ld_log))
    assert rc == 0, f"rc {rc}\n{err[-3000:]}"
    assert out.split("\n")[:2] == ["2002 [1, 1, 0] [None, 22]", "2002"]
    assert lakepack_bindings_to_pyarrow(ld_log) == []


def test_s3_requests_sign_after_pyarrow_was_loaded_global(tmp_path, s3_base):
    # Every request is signed (HMAC-SHA256, SHA-256) and the server checks the signature; the JSON
    # Lines object is read back through simdjson from S3.
    ld_log = tmp_path / "ld"
    rc, out, err = run_global(tmp_path, f"""
        import pyarrow as pa
        base = {s3_base!r}
        store = lakepack.open_store(base)
        store.put("a/one.bin", b"x" * 1000)
        assert store.get("a/one.bin") == b"x" * 1000
        t = pa.table({{"a": list(range(500)), "s": ["v%d" % i for i in range(500)]}})
        lakepack.write_batches(t, base + "/t.jsonl")
        back = lakepack.read_batches(base + "/t.jsonl").read_all()
        assert back.column("a").to_pylist() == list(range(500)), back
        print(sorted(o["key"].rsplit("/", 1)[-1] for o in store.list("")))
    """, LD_DEBUG="bindings", LD_DEBUG_OUTPUT=str(ld_log))
    assert rc == 0, f"rc {rc}\n{err[-3000:]}"
    assert out.strip() == "['one.bin', 't.jsonl']"
    assert lakepack_bindings_to_pyarrow(ld_log) == []


def test_extension_and_cli_export_only_their_own_symbols():
    check = ROOT / "tests" / "link_isolation_test.sh"
    module = subprocess.run(["bash", str(check), "--module", "PyInit__lakepack", str(MODULE)],
                            capture_output=True, text=True)
    assert module.returncode == 0, module.stderr
    cli = subprocess.run(["bash", str(check), str(PACKAGE / "bin" / "lakepack")],
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr


def test_hashlib_and_ssl_after_lakepack_do_not_crash():
    # The system's libcrypto, loaded as a dependency of the extension (through libcurl's libssh2),
    # bound its own calls to libparquet's exported OpenSSL symbols: `import lakepack, hashlib`
    # died with SIGSEGV in OPENSSL_LH_doall_arg.  A fresh interpreter, so nothing loaded it first.
    code = ("import lakepack, hashlib, ssl; "
            "print(hashlib.sha256(b'x').hexdigest()[:8], ssl.create_default_context() is not None)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    assert r.stdout.split() == ["2d711642", "True"], r.stdout
