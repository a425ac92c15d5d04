"""Helpers shared by the benchmark scripts in bench/ (bench_foundation.py, bench_pack.py).

Each measured command runs as its own process under GNU time (/usr/bin/time), which reports its
wall seconds and peak RSS.  Not thread-safe (benchmarks run one command at a time on purpose).
"""
import datetime
import os
import platform
import signal
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
CLI = os.environ.get("LAKEPACK_CLI", os.path.join(ROOT, "build", "lakepack"))


class Timeout(Exception):
    """A timed command ran past its time limit and was killed."""


def parse_size(text):
    """'2GB' -> 2_000_000_000, '300MB', '1GiB', '512kib', '1234' (decimal and binary units)."""
    units = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}
    num = text.rstrip("bBkKmMgGiI")
    return int(float(num) * units[text[len(num):].lower()])


def timed(cmd, env=None, timeout=None):
    """Runs cmd (a list) under /usr/bin/time; returns (seconds, peak_rss_bytes)."""
    r = measure(cmd, env, timeout)
    return r["seconds"], r["rss"]


def measure(cmd, env=None, timeout=None):
    """Runs cmd (a list) under /usr/bin/time; returns {seconds, rss (bytes), cpu (user+sys s)}.

    Raises RuntimeError (with the output's tail) if it fails, Timeout if it runs longer than
    timeout seconds (the command's whole process group is killed then).
    """
    full = ["/usr/bin/time", "-f", "LPBENCH %e %M %U %S"] + cmd
    p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise Timeout(f"{' '.join(cmd)} ran longer than {timeout} s and was killed")
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{out[-2000:]}{err[-3000:]}")
    line = [l for l in err.splitlines() if l.startswith("LPBENCH ")][-1]
    _, secs, kb, user, sys_ = line.split()
    return {"seconds": float(secs), "rss": int(kb) * 1024, "cpu": float(user) + float(sys_)}


def py(code, python=PY):
    """A command running the (dedented) Python code with the given interpreter."""
    return [python, "-c", textwrap.dedent(code)]


def machine_line():
    """'2026-11-23 20:40 on HOST: 2 cores (CPU), 24 GiB RAM, load average 5.4 / 9.1 / 9.7'."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f"{now} on {platform.node()}: {os.cpu_count()} cores ({cpu}), {mem / 2**30:.0f} GiB RAM, "
            f"load average (1/5/15 min) {load}")
