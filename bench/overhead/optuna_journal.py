#!/usr/bin/python3
"""Optuna side of the journal benchmark (bench/overhead/journal.ts): per-trial overhead of Optuna 3.1's
JournalStorage(JournalFileStorage(path)) with its default lock (JournalFileSymlinkLock).

Run by bench/overhead/journal.ts; prints ``RESULT {json}`` on stdout. Subcommands:

    single --journal P --warm-journal W --trials N --warmup K --seed S
        One process: K warm-up trials on the throw-away journal W (not timed), then a study on the fresh
        journal P (created untimed), then only ``study.optimize(objective, n_trials=N)`` is timed.
    create --journal P --study NAME
        Creates the study (direction minimize) that the workers load.
    worker --journal P --study NAME --warm-journal W --trials N --warmup K --seed S
        One of several processes on one journal: warm-up on its own throw-away journal W, load the study,
        print ``READY``, wait for ``GO`` on stdin (the start barrier), then run N trials with
        ``study.optimize``; reports its start and end time (time.time(), epoch seconds).
    check --journal P --study NAME --expect N
        Loads the journal with Optuna and checks it holds exactly N trials numbered 0..N-1, all COMPLETE,
        each with its parameter x and value == x.
    --read-fix (any subcommand)
        Replaces JournalFileStorage.read_logs by the fix Optuna merged later (optuna/optuna#5195): without it,
        3.1 often crashes with JSONDecodeError when several processes share a journal (#5138).

Same work as the Tansaku side: suggest one float x in [-10, 10] and return it; RandomSampler(seed);
NopPruner; direction minimize; logging at WARNING. ``os.fsync``, ``os.symlink`` and ``os.rename`` are
wrapped by counters (a count and a perf_counter() pair per call; symlink to rename of "<file>.lock" gives the
time the lock was held) so that fsyncs and lock attempts per trial are measured, not
assumed; Optuna's JournalFileStorage.append_logs calls os.fsync once per append (after f.flush(), under the
lock).
"""
import argparse
import json
import os
import sys
import time
import warnings

import optuna

warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
optuna.logging.set_verbosity(optuna.logging.WARNING)

COUNTERS = {
    "fsync": {"calls": 0, "errors": 0, "ms": 0.0},
    "symlink": {"calls": 0, "errors": 0, "ms": 0.0},
    "rename": {"calls": 0, "errors": 0, "ms": 0.0},
}
# Time the journal lock was held: from a successful os.symlink(target, "<file>.lock") to os.rename("<file>.lock", ...).
LOCK_HOLD = {"count": 0, "ms": 0.0, "since": -1.0}


def _on_lock_call(name, args, ok, at):  # type: ignore[no-untyped-def]
    if name == "symlink" and ok and str(args[1]).endswith(".lock"):
        LOCK_HOLD["since"] = at
    elif name == "rename" and ok and str(args[0]).endswith(".lock") and LOCK_HOLD["since"] >= 0:
        LOCK_HOLD["count"] += 1
        LOCK_HOLD["ms"] += (at - LOCK_HOLD["since"]) * 1000
        LOCK_HOLD["since"] = -1.0


def _counted(name, fn):  # type: ignore[no-untyped-def]
    c = COUNTERS[name]

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        c["calls"] += 1
        ok = False
        try:
            r = fn(*args, **kwargs)
            ok = True
            return r
        except BaseException:
            c["errors"] += 1
            raise
        finally:
            t1 = time.perf_counter()
            c["ms"] += (t1 - t) * 1000
            _on_lock_call(name, args, ok, t1 if name == "symlink" else t)

    return wrapper


# optuna/storages/_journal/file.py calls os.fsync(f.fileno()) once per append_logs, and os.symlink once per
# lock attempt (JournalFileSymlinkLock.acquire; an attempt that finds the lock held fails with EEXIST).
os.fsync = _counted("fsync", os.fsync)
os.symlink = _counted("symlink", os.symlink)
os.rename = _counted("rename", os.rename)


def reset_counters() -> None:
    for c in COUNTERS.values():
        c.update(calls=0, errors=0, ms=0.0)
    LOCK_HOLD.update(count=0, ms=0.0)


def counters() -> dict:
    out = {k: dict(v) for k, v in COUNTERS.items()}
    out["lock_hold"] = {"count": LOCK_HOLD["count"], "ms": LOCK_HOLD["ms"]}
    return out


def install_read_fix() -> None:
    """``--read-fix``: Optuna 3.1's ``JournalFileStorage.read_logs`` with the fix Optuna merged later
    (optuna/optuna#5195, for #5138): read only up to the file size seen when the read starts and stop at a
    line without its newline (another process is still writing it), instead of raising JSONDecodeError.
    Everything else (lock, append, fsync, replay) is stock 3.1."""
    from optuna.storages._journal import file as journal_file

    def read_logs(self, log_number_from):  # type: ignore[no-untyped-def]
        logs = []
        with open(self._file_path, "rb") as f:
            end = os.fstat(f.fileno()).st_size
            log_number_start = 0
            if log_number_from in self._log_number_offset:
                f.seek(self._log_number_offset[log_number_from])
                log_number_start = log_number_from
            position = f.tell()
            for log_number, line in enumerate(f, start=log_number_start):
                if position + len(line) > end or not line.endswith(b"\n"):
                    break  # being written: read it next time
                position += len(line)
                if log_number + 1 not in self._log_number_offset:
                    self._log_number_offset[log_number + 1] = self._log_number_offset[log_number] + len(line)
                if log_number < log_number_from:
                    continue
                logs.append(json.loads(line))
        return logs

    journal_file.JournalFileStorage.read_logs = read_logs


def objective(trial: optuna.trial.Trial) -> float:
    return trial.suggest_float("x", -10, 10)


def storage(path: str) -> optuna.storages.JournalStorage:
    # The default lock of JournalFileStorage is JournalFileSymlinkLock (as Tansaku's).
    return optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(path))


SAMPLER = "random"


def make_sampler(seed: int) -> optuna.samplers.BaseSampler:
    """RandomSampler, or with --sampler qmc Optuna's QMCSampler (joint sampling, as Tansaku's QmcSampler)."""
    if SAMPLER == "qmc":
        return optuna.samplers.QMCSampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def new_study(path: str, seed: int, name: str = "bench") -> optuna.study.Study:
    return optuna.create_study(
        storage=storage(path),
        study_name=name,
        direction="minimize",
        sampler=make_sampler(seed),
        pruner=optuna.pruners.NopPruner(),
    )


def warm_up(path: str, n: int, seed: int) -> None:
    """Same code path on a throw-away journal, not timed; the file is removed afterwards."""
    if n <= 0:
        return
    study = new_study(path, seed)
    study.optimize(objective, n_trials=n)
    del study
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def count_lines(path: str) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["single", "create", "worker", "check"])
    p.add_argument("--journal", required=True)
    p.add_argument("--warm-journal")
    p.add_argument("--study", default="bench")
    p.add_argument("--trials", type=int, default=0)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--sampler", choices=["random", "qmc"], default="random")
    p.add_argument("--expect", type=int, default=0)
    p.add_argument("--read-fix", action="store_true", help="apply optuna/optuna#5195 (see install_read_fix)")
    a = p.parse_args()
    global SAMPLER
    SAMPLER = a.sampler
    if a.read_fix:
        install_read_fix()
    out = {"framework": "optuna", "version": optuna.__version__, "command": a.command, "read_fix": a.read_fix}

    if a.command == "single":
        warm_up(a.warm_journal, a.warmup, a.seed + 1)
        study = new_study(a.journal, a.seed)
        lines_before = count_lines(a.journal)
        reset_counters()
        c0 = os.times()
        t0 = time.perf_counter()
        study.optimize(objective, n_trials=a.trials)
        t1 = time.perf_counter()
        c1 = os.times()
        counted = counters()
        n = len(study.get_trials(deepcopy=False))
        if n != a.trials:
            raise RuntimeError(f"expected {a.trials} trials, got {n}")
        out.update(trials=a.trials, warmup=a.warmup, seconds=t1 - t0, counters=counted,
                   cpu_seconds=(c1.user - c0.user) + (c1.system - c0.system), cpu_user_seconds=c1.user - c0.user,
                   lines=count_lines(a.journal) - lines_before)
    elif a.command == "create":
        new_study(a.journal, a.seed, a.study)
    elif a.command == "worker":
        warm_up(a.warm_journal, a.warmup, a.seed + 1000)
        study = optuna.load_study(
            study_name=a.study,
            storage=storage(a.journal),
            sampler=make_sampler(a.seed),
            pruner=optuna.pruners.NopPruner(),
        )
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        if sys.stdin.readline().strip() != "GO":
            raise RuntimeError("expected GO on stdin")
        reset_counters()
        c0 = os.times()
        start = time.time()
        study.optimize(objective, n_trials=a.trials)
        end = time.time()
        c1 = os.times()
        counted = counters()
        sys.stdout.write("DONE\n")
        sys.stdout.flush()
        out.update(trials=a.trials, warmup=a.warmup, start=start, end=end, seconds=end - start, counters=counted,
                   cpu_seconds=(c1.user - c0.user) + (c1.system - c0.system), cpu_user_seconds=c1.user - c0.user)
    else:  # check
        study = optuna.load_study(study_name=a.study, storage=storage(a.journal))
        trials = study.get_trials(deepcopy=False)
        numbers = sorted(t.number for t in trials)
        complete = sum(1 for t in trials if t.state == optuna.trial.TrialState.COMPLETE)
        intact = sum(1 for t in trials if "x" in t.params and t.values is not None and t.values[0] == t.params["x"])
        ok = len(trials) == a.expect and numbers == list(range(a.expect)) and complete == a.expect and intact == a.expect
        out.update(trials=len(trials), complete=complete, intact=intact,
                   numbers_ok=numbers == list(range(a.expect)), ok=ok, lines=count_lines(a.journal))
    sys.stdout.write("RESULT " + json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
