#!/usr/bin/python3
"""Optuna side of bench/overhead: per-trial engine overhead and memory, one measurement per process.

Run by bench/overhead/run.ts (one fresh process per measurement); prints one line
``RESULT {json}`` on stdout. Usable alone:

    /usr/bin/python3 bench/overhead/optuna_overhead.py --trials 10000 --mode time
    /usr/bin/python3 bench/overhead/optuna_overhead.py --trials 10000 --mode asktell
    /usr/bin/python3 bench/overhead/optuna_overhead.py --trials 40000 --mode memory

Modes (the Tansaku worker in run.ts does exactly the same):
- time:    study.optimize(objective, n_trials=N); wall time of that call only.
- asktell: N x (study.ask(); trial.suggest_float; study.tell(trial, x)); wall time of the loop only.
- held:    Python allocations alive (tracemalloc, after gc.collect()) before and after N trials of
           `--params` floats each: the memory the study holds per trial.
- memory:  VmRSS (from /proc/self/status, after gc.collect()) before creating the study, halfway
           (inside the objective, not timed) and after N trials of study.optimize; the objective also records time.perf_counter() into a
           preallocated array, for the per-trial time of the first and last 1,000 trials.
Every mode first runs `--warmup` trials (through the same path: optimize, or ask/tell) on a separate
throw-away study in the same process, not timed.
Sampler: RandomSampler(seed); pruner: NopPruner; in-memory storage; logging at WARNING.
"""
import argparse
import gc
import json
import sys
import time
from array import array

import optuna


def rss_bytes() -> int:
    """Resident set size of this process, from /proc/self/status (VmRSS, in kB)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmRSS not found in /proc/self/status")


def objective(trial: optuna.trial.Trial) -> float:
    return trial.suggest_float("x", -10, 10)


def new_study(seed: int) -> optuna.study.Study:
    return optuna.create_study(
        direction="minimize",
        sampler=optuna.samplers.RandomSampler(seed=seed),
        pruner=optuna.pruners.NopPruner(),
    )


def ask_tell(study: optuna.study.Study, n: int) -> None:
    for _ in range(n):
        trial = study.ask()
        x = trial.suggest_float("x", -10, 10)
        study.tell(trial, x)


def check_complete(study: optuna.study.Study, n: int) -> None:
    trials = study.get_trials(deepcopy=False)
    complete = sum(1 for t in trials if t.state == optuna.trial.TrialState.COMPLETE)
    if len(trials) != n or complete != n:
        raise RuntimeError(f"expected {n} COMPLETE trials, got {complete} of {len(trials)}")


def tenths(stamps: array) -> list:
    """Microseconds per trial in each tenth of a run, from the objective's start times (in s)."""
    n = len(stamps)
    out = []
    for j in range(10):
        a = (j * n) // 10
        b = ((j + 1) * n) // 10 - 1
        out.append((stamps[b] - stamps[a]) / (b - a) * 1e6)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--trials", type=int, required=True)
    p.add_argument("--mode", choices=["time", "asktell", "memory", "held"], required=True)
    p.add_argument("--params", type=int, default=1, help="held mode: floats suggested per trial")
    p.add_argument("--warmup", type=int, default=500)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    n = a.trials

    # Warm-up on a throw-away study (same process, not timed), through the same path as the mode.
    if a.warmup > 0:
        warm = new_study(a.seed + 1)
        if a.mode == "asktell":
            ask_tell(warm, a.warmup)
        else:
            warm.optimize(objective, n_trials=a.warmup)
        del warm
    out = {"framework": "optuna", "version": optuna.__version__, "mode": a.mode, "trials": n, "warmup": a.warmup}

    if a.mode == "time":
        study = new_study(a.seed)
        t0 = time.perf_counter()
        study.optimize(objective, n_trials=n)
        t1 = time.perf_counter()
        check_complete(study, n)
        out["seconds"] = t1 - t0
    elif a.mode == "asktell":
        study = new_study(a.seed)
        t0 = time.perf_counter()
        ask_tell(study, n)
        t1 = time.perf_counter()
        check_complete(study, n)
        out["seconds"] = t1 - t0
    elif a.mode == "held":
        # The memory the study holds per trial, as Python allocations live after gc.collect() (tracemalloc,
        # started after the warm-up, so the interpreter's own and the imports' memory is not counted).
        import tracemalloc

        names = [f"p{j}" for j in range(a.params)]

        def many(trial: optuna.trial.Trial) -> float:
            return sum(trial.suggest_float(name, 0, 1) for name in names)

        gc.collect()
        tracemalloc.start()
        held_before = tracemalloc.get_traced_memory()[0]
        study = new_study(a.seed)
        study.optimize(many, n_trials=n)
        gc.collect()
        held_after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        check_complete(study, n)
        out.update(seconds=0.0, params=a.params, held_before=held_before, held_after=held_after)
    else:
        stamps = array("d", [0.0]) * n
        i = 0
        # Halfway, RSS again (as the Tansaku worker does): the growth over the second half is the per-trial
        # cost without one-time reservations. Taken between stamps[mid - 1] and stamps[mid]; not timed.
        mid = n // 2
        rss_mid = None
        paused = 0.0

        def stamped(trial: optuna.trial.Trial) -> float:
            nonlocal i, rss_mid, paused
            if i == mid:
                p0 = time.perf_counter()
                gc.collect()
                rss_mid = rss_bytes()
                paused = time.perf_counter() - p0
            stamps[i] = time.perf_counter()
            i += 1
            return trial.suggest_float("x", -10, 10)

        gc.collect()
        rss_before = rss_bytes()
        study = new_study(a.seed)
        t0 = time.perf_counter()
        study.optimize(stamped, n_trials=n)
        t1 = time.perf_counter()
        gc.collect()
        rss_after = rss_bytes()
        check_complete(study, n)
        k = min(1000, n - 1)
        out.update(
            seconds=t1 - t0 - paused,
            rss_before=rss_before,
            rss_after=rss_after,
            rss_mid=rss_mid,
            rss_mid_trial=mid,
            # Time between the objective's first calls and between its last calls: one full trial cycle each.
            first_k=k,
            first_k_seconds=stamps[k] - stamps[0],
            last_k_seconds=stamps[n - 1] - stamps[n - 1 - k],
            tenths_us=tenths(stamps),
        )
    sys.stdout.write("RESULT " + json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
