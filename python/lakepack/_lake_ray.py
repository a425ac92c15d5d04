"""Project.run(executor="ray"): the staged steps of the snapshot-to-lake job on Ray.

The driver plans (steps 1.1 and 2.1), validates and commits (step 3.1); every group of step 1.2
and every partition group of step 2.2 is one Ray task, which runs exactly what lakepack's local
thread pool runs for a group (Project.process_snapshot_group / process_partition_group: the C++
core, GIL released).  The group's claim on the store makes a retried task safe: a group whose
worker died is claimed again and redone (its output names are deterministic), a done group is
skipped, and one held by a live worker is reported busy.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

_DEFAULT_REMOTE_ARGS = {"num_cpus": 1, "max_retries": 3}


def _import_ray():
    try:
        import ray
    except ImportError as e:  # pragma: no cover - exercised with ray hidden
        raise ImportError("Project.run(executor='ray') needs Ray: install the extra with "
                          "pip install 'lakepack[ray]'") from e
    return ray


def _stage(project, index: int) -> Dict[str, Any]:
    return project.process_snapshot_group(index)


def _compact(project, index: int) -> Dict[str, Any]:
    return project.process_partition_group(index)


def _tally(reports: List[Dict[str, Any]], what: str) -> Dict[str, Any]:
    total = {k: sum(r[k] for r in reports) for k in ("processed", "already_done", "busy", "rows",
                                                      "bytes", "files")}
    total["groups"] = len(reports)
    if total["busy"]:
        raise RuntimeError(f"{total['busy']} {what} are being processed by another live worker; "
                           "run again once it is done")
    return total


def run_stage_tasks(project, remote_args: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Step 1.2 as one Ray task per snapshot file group (after step 1.1)."""
    ray = _import_ray()
    args = dict(_DEFAULT_REMOTE_ARGS, **(remote_args or {}))
    plan = project.step_1_1_plan_snapshot_to_staging()
    ref = ray.put(project)
    task = ray.remote(_stage).options(**args)
    return _tally(ray.get([task.remote(ref, i) for i in range(1, plan["groups"] + 1)]),
                  "snapshot file groups")


def run_compact_tasks(project, remote_args: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Step 2.2 as one Ray task per partition group (after step 2.1)."""
    ray = _import_ray()
    args = dict(_DEFAULT_REMOTE_ARGS, **(remote_args or {}))
    plan = project.step_2_1_plan_staging_to_datalake()
    ref = ray.put(project)
    task = ray.remote(_compact).options(**args)
    return _tally(ray.get([task.remote(ref, i) for i in range(1, plan["groups"] + 1)]),
                  "partition groups")


def run_on_ray(project, remote_args: Optional[Dict[str, Any]] = None):
    _import_ray()
    run_stage_tasks(project, remote_args)
    if not project.create_datalake:
        return None
    run_compact_tasks(project, remote_args)
    return project.step_3_1_validate_datalake()
