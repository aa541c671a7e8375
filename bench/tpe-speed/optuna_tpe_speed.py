#!/usr/bin/python3
"""Optuna side of bench/tpe-speed: TPE's own time per trial at a given study size.

Run by bench/tpe-speed/run.ts; prints one line ``RESULT {json}``. Usable alone:

    /usr/bin/python3 bench/tpe-speed/optuna_tpe_speed.py --history 1000 --timed 20 --multivariate 0

A study of `--params` floats in [-5, 5] (the sphere) gets `--history` trials from RandomSampler(seed),
then TPESampler(seed, multivariate=...) with Optuna's other defaults runs `--timed` more trials; the
wall time of each of those trials' study.ask() + suggest_float calls + study.tell() is recorded (the
objective is a sum of squares). In-memory storage, NopPruner, logging at WARNING.
"""
import argparse
import json
import time
import warnings

import optuna


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--history", type=int, required=True)
    ap.add_argument("--timed", type=int, default=20)
    ap.add_argument("--params", type=int, default=10)
    ap.add_argument("--multivariate", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")
    names = [f"x{i}" for i in range(a.params)]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=a.seed), pruner=optuna.pruners.NopPruner())

    def step() -> float:
        start = time.perf_counter()
        trial = study.ask()
        value = sum(trial.suggest_float(n, -5, 5) ** 2 for n in names)
        study.tell(trial, value)
        return time.perf_counter() - start

    for _ in range(a.history):
        step()
    study.sampler = optuna.samplers.TPESampler(seed=a.seed, multivariate=bool(a.multivariate))
    times = [step() for _ in range(a.timed)]
    print("RESULT " + json.dumps({"seconds": times, "history": a.history, "version": optuna.__version__}))


if __name__ == "__main__":
    main()
