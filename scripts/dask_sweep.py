#!/usr/bin/env python3
"""Run a `throttlelab sweep` on a Dask distributed cluster, then merge it.

Why this shape: `throttlelab sweep --shard i/n` already runs any slice of a sweep anywhere and
`throttlelab merge` already joins the slices into the bytes of the unsharded sweep. What a
cluster adds is placement, retries and recovery from lost machines, which Dask's scheduler
does well; so this driver stays small and keeps every figure in the Rust binary:

1. `throttlelab sweep FILE ... --dry-run` on this machine checks the sweep (bad input exits 2
   here, before anything is submitted) and names the sweep folder.
2. Many more shards than workers (`--shards`, default 8 per worker thread) are submitted as
   Dask tasks, so one slow shard (a metastable point) does not leave the other workers idle:
   Dask's work stealing hands queued shards to idle workers.
3. Each task runs `throttlelab sweep ... --shard i/n --out ATTEMPT` as a child process with
   one thread, into a folder of its own (a fresh one per attempt: a task that Dask retries or
   reschedules never writes over a copy that another attempt may still be writing). A
   failed shard (non-zero exit) raises, and Dask retries it (`--retries`); the tasks of a
   worker that dies are rescheduled by the scheduler. The child gets SIGKILL when the worker
   that started it dies (Linux `PR_SET_PDEATHSIG`), so a killed worker leaves no orphan run.
4. `throttlelab merge` over the one attempt folder per shard that Dask reported done writes
   the sweep folder that `throttlelab sweep` without `--shard` would have written, byte for
   byte (tables, `sweep.json`, `report.html`).

Usage (docs/distributed-sweeps.md has the cluster recipes):

    scripts/dask_sweep.py --local 2 scenarios/retry-storm.toml --param fleet.jitter.count=10..190:20 --seeds 20
    scripts/dask_sweep.py --scheduler tcp://10.0.0.5:8786 --binary /shared/bin/throttlelab FILE ...
    scripts/dask_sweep.py --scheduler-file /shared/scheduler.json FILE ...

Exit codes follow throttlelab's: 0 ok, 2 bad input (the dry run refused the sweep, or a bad
option here), 1 a failed run (a shard failed after its retries, or the merge failed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

# Options of `throttlelab sweep` that the driver sets itself, per shard.
DRIVER_OWNED = ("--shard", "--out", "--threads", "--dry-run", "--quiet")


class BadInput(Exception):
    """A sweep or option refused before anything runs (exit 2)."""


class Failed(Exception):
    """A shard or the merge failed (exit 1)."""


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the thread that started it dies (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: a killed worker's run finishes on its own into its own folder


def run_shard(binary: str, sweep_args: list[str], index: int, count: int, work: str) -> str:
    """One Dask task: shard `index` of `count` into a fresh attempt folder; its shard folder.

    The attempt folder is named by the worker's process id and a random suffix, so that each
    attempt (a retry, or a rerun after the worker running it was lost) writes its own copy.
    """
    attempt = Path(work) / f"{index}-of-{count}" / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    attempt.mkdir(parents=True, exist_ok=False)
    cmd = [binary, "sweep", *sweep_args]
    cmd += ["--shard", f"{index}/{count}", "--out", str(attempt), "--threads", "1", "--quiet"]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, preexec_fn=_die_with_parent, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"shard {index}/{count} exited with {proc.returncode}: {proc.stderr.strip()[-2000:]}"
        )
    found = sorted(attempt.glob(f"*/sweep-*/shard-{index}-of-{count}"))
    if len(found) != 1:
        raise RuntimeError(f"shard {index}/{count}: expected one shard folder under {attempt}")
    return str(found[0])


def plan(binary: str, sweep_args: list[str], out: Path) -> tuple[Path, int]:
    """The dry run: the sweep folder an unsharded sweep writes, and its number of runs."""
    proc = subprocess.run(
        [binary, "sweep", *sweep_args, "--out", str(out), "--dry-run"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode == 2:
        raise BadInput(proc.stderr.strip())
    if proc.returncode != 0:
        raise Failed(f"the dry run exited with {proc.returncode}: {proc.stderr.strip()}")
    lines = proc.stdout.splitlines()
    folder = [ln.removeprefix("output: ") for ln in lines if ln.startswith("output: ")]
    runs = [ln for ln in lines if " runs; this shard: " in ln]
    if len(folder) != 1 or len(runs) != 1:
        raise Failed(f"cannot read the dry run's plan:\n{proc.stdout}")
    total = int(runs[0].split(" runs; this shard: ")[0].rsplit("= ", 1)[1])
    return Path(folder[0]), total


def run_sweep(client, binary: str, sweep_args: list[str], out: Path, shards: int,
              retries: int, keep_shards: bool = False, log=print) -> Path:
    """Plan, submit `shards` shard tasks to `client` (a `distributed.Client`), merge; the
    merged sweep folder. Importable: the SLURM and other recipes call it with their client."""
    from distributed import as_completed

    if run_shard.__module__ != "__main__":
        # imported by a recipe: ship the task's code with it, workers need not import this file
        import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[run_shard.__module__])
    sweep_dir, total = plan(binary, sweep_args, out)
    if shards < 1:
        raise BadInput("--shards must be at least 1")
    if shards > total:
        log(f"the sweep has {total} runs: {total} shards instead of {shards}")
        shards = total
    work = sweep_dir.parent / f"{sweep_dir.name}.dask-shards"
    futures = [
        client.submit(run_shard, binary, sweep_args, i, shards, str(work),
                      key=f"throttlelab-{sweep_dir.name}-shard-{i}-of-{shards}",
                      retries=retries, pure=False)
        for i in range(1, shards + 1)
    ]
    log(f"submitted {shards} shards of {total} runs ({sweep_dir.name}); "
        f"attempt folders under {work}")
    done = []
    failed = []
    for i, fut in enumerate(as_completed(futures), start=1):
        if fut.status == "finished":
            path = fut.result()
            done.append(path)
            log(f"{i}/{shards} shards done: {path}")
        else:
            failed.append(f"{fut.key}: {fut.exception()}")
    if failed:
        raise Failed("shards failed after their retries:\n  " + "\n  ".join(failed))
    merge = subprocess.run(
        [binary, "merge", *sorted(done), "--out", str(sweep_dir), "--quiet"],
        capture_output=True, text=True, check=False,
    )
    if merge.returncode != 0:
        raise Failed(f"merge exited with {merge.returncode}: {merge.stderr.strip()}")
    if not keep_shards:
        shutil.rmtree(work, ignore_errors=True)
    log(f"merged {shards} shards into {sweep_dir}")
    return sweep_dir


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(
        allow_abbrev=False,
        description="Run `throttlelab sweep FILE [--param ...] [--seeds N]` as many shards on "
        "a Dask cluster, retry failed shards, and merge them into the unsharded sweep's bytes. "
        "Arguments it does not know are passed to `throttlelab sweep`.",
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", metavar="ADDR", help="an existing scheduler, tcp://HOST:PORT")
    where.add_argument("--scheduler-file", metavar="FILE", help="a scheduler's JSON file "
                       "(`dask scheduler --scheduler-file`, dask-mpi, batch jobs)")
    where.add_argument("--local", metavar="N", type=int, help="start a local cluster of N "
                       "single-threaded worker processes for this sweep")
    p.add_argument("--binary", default=shutil.which("throttlelab"), help="the throttlelab "
                   "binary, on a path every worker can run (default: throttlelab on PATH)")
    p.add_argument("--shards", type=int, help="number of shard tasks (default: 8 per worker "
                   "thread; more shards than workers keep workers busy past a slow point)")
    p.add_argument("--retries", type=int, default=3, help="retries of a failed shard (default 3)")
    p.add_argument("--out", default="notebooks-out", help="as `sweep --out`, on a folder every "
                   "worker can write (default notebooks-out)")
    p.add_argument("--keep-shards", action="store_true", help="keep the shard attempt folders")
    p.add_argument("file", metavar="FILE", help="the scenario file (or a shipped scenario's name)")
    args, rest = p.parse_known_args(argv)
    owned = [a for a in rest if a.split("=", 1)[0] in DRIVER_OWNED]
    if owned:
        p.error(f"{', '.join(owned)}: set by the driver for each shard")
    if not args.binary:
        p.error("no throttlelab on PATH: give --binary")
    if args.local is not None and args.local < 1:
        p.error("--local needs at least 1 worker")
    return args, rest


def main(argv: list[str]) -> int:
    args, rest = parse(argv)
    from distributed import Client, LocalCluster

    binary = str(Path(args.binary).resolve())
    file = Path(args.file)
    sweep_args = [str(file.resolve()) if file.exists() else args.file, *rest]
    out = Path(args.out).resolve()
    cluster = None
    try:
        plan(binary, sweep_args, out)  # bad input exits 2 before a cluster starts
        if args.local is not None:
            cluster = LocalCluster(n_workers=args.local, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
        elif args.scheduler_file:
            client = Client(scheduler_file=args.scheduler_file)
        else:
            client = Client(args.scheduler)
        threads = max(1, sum(client.nthreads().values()))
        shards = args.shards if args.shards is not None else 8 * threads
        run_sweep(client, binary, sweep_args, out, shards, args.retries, args.keep_shards)
        client.close()
        return 0
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Failed as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
