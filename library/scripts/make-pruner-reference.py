#!/usr/bin/env python3
"""Writes test/fixtures/reference/optuna-pruners.json: Optuna's own pruning decisions on a seeded set of
cases, which test/pruners/optuna-reference.test.ts checks Tansaku's pruners against (the tests never run
Python).

Each case is a pruner (median, percentile, threshold, patient) with options, a direction, completed
trials with their intermediate curves and one running trial's curve; the fixture records what
`pruner.prune(study, trial)` of Optuna answers for it. The cases are drawn from a fixed seed and include
the edge cases the pruners' semantics turn on: no completed trials, warm-up and interval steps, steps
with gaps, NaN and infinite reports, percentiles 0 and 100, ties.

Run with Debian's python3-optuna (3.1): /usr/bin/python3 scripts/make-pruner-reference.py (from library/).
"""
import json
import math
import random
import sys
from pathlib import Path

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "reference" / "optuna-pruners.json"
SEED = 20261204
N_CASES = 400


def encode(v):
    """JSON has no NaN or infinities: they travel as strings."""
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def random_value(rng, special):
    r = rng.random()
    if special and r < 0.05:
        return float("nan")
    if special and r < 0.08:
        return rng.choice([float("inf"), float("-inf")])
    # Few distinct values, so ties between trials are common.
    return round(rng.choice([rng.uniform(0, 5), rng.randint(0, 5) / 2]), 3)


def random_curve(rng, special):
    length = rng.randint(1, 8)
    if rng.random() < 0.3:
        steps = sorted(rng.sample(range(0, 12), length))  # gaps between steps
    else:
        steps = list(range(length))
    return [[s, random_value(rng, special)] for s in steps]


def completed_trial(curve):
    """A completed trial: its value is its last report, or 0 where that is not finite."""
    last = curve[-1][1]
    return {"value": last if math.isfinite(last) else 0.0, "curve": curve}


def random_pruner(rng):
    kind = rng.choice(["median", "percentile", "threshold", "patient", "patient"])
    if kind in ("median", "percentile"):
        options = {
            "n_startup_trials": rng.choice([0, 0, 1, 2, 3]),
            "n_warmup_steps": rng.choice([0, 0, 1, 2]),
            "interval_steps": rng.choice([1, 1, 2, 3]),
            "n_min_trials": rng.choice([1, 1, 2, 3]),
        }
        if kind == "percentile":
            options["percentile"] = rng.choice([0.0, 10.0, 25.0, 50.0, 62.5, 90.0, 100.0])
        return kind, options
    if kind == "threshold":
        options = {"n_warmup_steps": rng.choice([0, 0, 1, 2]), "interval_steps": rng.choice([1, 1, 2])}
        bounds = rng.choice(["lower", "upper", "both"])
        if bounds in ("lower", "both"):
            options["lower"] = round(rng.uniform(0, 2), 2)
        if bounds in ("upper", "both"):
            options["upper"] = round(rng.uniform(2, 5), 2)
        return kind, options
    options = {"patience": rng.choice([0, 1, 2, 3]), "min_delta": rng.choice([0.0, 0.0, 0.1, 0.5])}
    options["wrapped"] = rng.choice([None, {"n_startup_trials": 0, "n_warmup_steps": 0, "interval_steps": 1, "n_min_trials": 1}])
    return kind, options


def make_pruner(kind, options):
    if kind == "median":
        return optuna.pruners.MedianPruner(**options)
    if kind == "percentile":
        return optuna.pruners.PercentilePruner(**options)
    if kind == "threshold":
        return optuna.pruners.ThresholdPruner(**options)
    wrapped = None if options["wrapped"] is None else optuna.pruners.MedianPruner(**options["wrapped"])
    return optuna.pruners.PatientPruner(wrapped, patience=options["patience"], min_delta=options["min_delta"])


def decide(case):
    study = optuna.create_study(direction=case["direction"])
    for done in case["completed"]:
        values = dict((s, v) for s, v in done["curve"])
        study.add_trial(optuna.trial.create_trial(value=done["value"], intermediate_values=values))
    trial = study.ask()
    for step, value in case["running"]:
        trial.report(value, step)
    frozen = study._storage.get_trial(trial._trial_id)
    return bool(make_pruner(case["pruner"], case["options"]).prune(study, frozen))


def main():
    rng = random.Random(SEED)
    cases = []
    for i in range(N_CASES):
        kind, options = random_pruner(rng)
        special = rng.random() < 0.3
        n_completed = rng.choice([0, 1, 2, 3, 4, 5, 6])
        case = {
            "id": i,
            "pruner": kind,
            "options": options,
            "direction": rng.choice(["minimize", "maximize"]),
            "completed": [completed_trial(random_curve(rng, special)) for _ in range(n_completed)],
            "running": random_curve(rng, special),
        }
        case["optuna"] = decide(case)
        cases.append(case)
    encoded = [
        {
            **c,
            "completed": [{"value": d["value"], "curve": [[s, encode(v)] for s, v in d["curve"]]} for d in c["completed"]],
            "running": [[s, encode(v)] for s, v in c["running"]],
        }
        for c in cases
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    body = ",\n".join(json.dumps(c, separators=(",", ":")) for c in encoded)
    OUT.write_text(
        '{"_source":' + json.dumps(
            f"Optuna {optuna.__version__} pruning decisions on {N_CASES} cases drawn with seed {SEED}; "
            "made by library/scripts/make-pruner-reference.py. Values 'nan', 'inf', '-inf' stand for the floats."
        ) + ',\n"cases":[\n' + body + "\n]}\n"
    )
    pruned = sum(c["optuna"] for c in cases)
    print(f"wrote {OUT} ({N_CASES} cases, {pruned} pruned) with Optuna {optuna.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
