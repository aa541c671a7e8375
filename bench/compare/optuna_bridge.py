#!/usr/bin/python3
"""Optuna side of the side-by-side harness (bench/compare): Optuna 3.1 samplers driven over JSON lines.

Run by bench/compare/optuna-bridge.ts with /usr/bin/python3 (Debian's python3-optuna); stdlib + optuna
only. One process serves any number of runs, one after the other. Protocol: one JSON object per line.

On start the bridge writes a hello line:
    {"ok": true, "hello": "tansaku-optuna-bridge", "optuna": "3.1.0", "python": "3.11.2",
     "samplers": {"random": true, "tpe": true, "tpe-mv": true, "qmc": true, "cmaes": true, "nsga2": true},
     "unavailable": {"cmaes": "why, when false"}}
or, when Optuna cannot be imported, {"ok": false, "fatal": true, "error": "..."} and exits with status 2.

Requests (each answered by one line; an answer with "ok": false carries "error" and, for a sampler that
cannot run on this problem, "code": "unavailable", or, for a sampler whose Python package is missing here,
"code": "missing"; the harness records the first as an error record of that run and stops making the
second's runs without recording them, so that installing the package later is enough):
    {"op": "create", "sampler": "tpe", "seed": 3, "directions": ["minimize"]}  -> {"ok": true}
    {"op": "ask"}                                   -> {"ok": true, "number": 0}
    {"op": "suggest", "name": "x", "dist": D}      -> {"ok": true, "value": v}
        D = {"type": "float", "low", "high", "log", "step"} | {"type": "int", "low", "high", "log", "step"}
          | {"type": "categorical", "n": k}  (Optuna sees choices 0..k-1; the TS side maps the index back)
          | {"type": "ordinal", "n": k}      (IntDistribution(0, k-1): Optuna keeps the order)
    {"op": "tell", "values": [..]} | {"op": "tell", "state": "fail"}
                                                    -> {"ok": true, "seconds": s}
    {"op": "quit"}                                  -> exits 0 (so does end of input)

"seconds" is Optuna's own time for the trial just told: the time spent inside study.ask(), the
trial.suggest_* calls and study.tell() of that trial, measured here with time.perf_counter(). It
excludes JSON encoding, the pipe, and the TypeScript side's evaluation of the problem.

Categorical choices are passed to Optuna as the indices 0..k-1 (a CategoricalDistribution over ints):
samplers treat categories as unordered labels, so this changes nothing in how they sample, and the exact
JavaScript values (booleans, null, numbers, strings) are restored on the TypeScript side.

Samplers (seeded with the run's seed):
    random  RandomSampler(seed)
    tpe     TPESampler(seed)                       (Optuna's defaults)
    tpe-mv  TPESampler(multivariate=True, seed)
    qmc     QMCSampler(qmc_type="sobol", scramble=True, seed)  (scrambled, so seeds differ; the default
            scramble=False gives every seed the same points)
    cmaes   CmaEsSampler(seed)                     (needs the `cmaes` package; single-objective only)
    nsga2   NSGAIISampler(seed)                    (multi-objective)
"""
import json
import math
import os
import platform
import sys
import time
import warnings

# Protocol lines go to the real stdout; anything else printed by libraries goes to stderr.
_OUT = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
sys.stdout = sys.stderr


def send(obj):
    _OUT.write(json.dumps(obj, allow_nan=False) + "\n")
    _OUT.flush()


warnings.simplefilter("ignore")
try:
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
    from optuna.trial import TrialState
except Exception as e:  # noqa: BLE001 - any import failure means the same thing here
    send({"ok": False, "fatal": True, "error": f"cannot import optuna with {sys.executable}: {type(e).__name__}: {e}"})
    sys.exit(2)

optuna.logging.set_verbosity(optuna.logging.ERROR)
optuna.logging.disable_default_handler()

# Samplers whose package does not import here. Optuna imports them lazily (CmaEsSampler: cmaes,
# QMCSampler: scipy.stats.qmc, at its first ask); checked now so that the reason is said up front.
UNAVAILABLE = {}
try:
    import cmaes  # noqa: F401
except Exception as e:  # noqa: BLE001
    UNAVAILABLE["cmaes"] = f"the cmaes package does not import ({type(e).__name__}: {e}); apt-get install -y python3-cmaes"
try:
    import scipy.stats.qmc  # noqa: F401
except Exception as e:  # noqa: BLE001
    UNAVAILABLE["qmc"] = f"scipy.stats.qmc does not import ({type(e).__name__}: {e}); apt-get install -y python3-scipy"

SAMPLERS = ("random", "tpe", "tpe-mv", "qmc", "cmaes", "nsga2")


def make_sampler(name, seed, n_objectives):
    if name in UNAVAILABLE:
        raise Missing(UNAVAILABLE[name])
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-mv":
        return optuna.samplers.TPESampler(multivariate=True, seed=seed)
    if name == "qmc":
        return optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=seed)
    if name == "cmaes":
        if n_objectives > 1:
            raise Unavailable("CmaEsSampler is single-objective only")
        return optuna.samplers.CmaEsSampler(seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    raise ValueError(f"unknown sampler {name!r}; expected one of {', '.join(SAMPLERS)}")


class Unavailable(Exception):
    """The sampler cannot run on this problem (e.g. CMA-ES on several objectives)."""


class Missing(Exception):
    """The sampler's Python package is missing here."""


def distribution(d):
    t = d.get("type")
    if t == "float":
        step = d.get("step")
        return FloatDistribution(float(d["low"]), float(d["high"]), log=bool(d.get("log")), step=None if step is None else float(step))
    if t == "int":
        return IntDistribution(int(d["low"]), int(d["high"]), log=bool(d.get("log")), step=int(d.get("step") or 1))
    if t == "categorical":
        return CategoricalDistribution(list(range(int(d["n"]))))
    if t == "ordinal":
        return IntDistribution(0, int(d["n"]) - 1)
    raise ValueError(f"unknown distribution type {t!r}")


def suggest(trial, name, d):
    """Calls the suggest_* method a user would call for this distribution (what the TS side forwards)."""
    t = d["type"]
    if t == "float":
        step = d.get("step")
        return trial.suggest_float(name, float(d["low"]), float(d["high"]), log=bool(d.get("log")), step=None if step is None else float(step))
    if t == "int":
        return trial.suggest_int(name, int(d["low"]), int(d["high"]), log=bool(d.get("log")), step=int(d.get("step") or 1))
    if t == "categorical":
        return trial.suggest_categorical(name, list(range(int(d["n"]))))
    if t == "ordinal":
        return trial.suggest_int(name, 0, int(d["n"]) - 1)
    raise ValueError(f"unknown distribution type {t!r}")


class Bridge:
    def __init__(self):
        self.study = None
        self.trial = None
        self.seconds = 0.0

    def create(self, req):
        directions = req.get("directions") or ["minimize"]
        sampler = make_sampler(req["sampler"], req.get("seed"), len(directions))
        self.study = optuna.create_study(directions=directions, sampler=sampler, pruner=optuna.pruners.NopPruner())
        self.trial = None
        return {}

    def ask(self, req):
        if self.study is None:
            raise RuntimeError("ask before create")
        if self.trial is not None:
            raise RuntimeError(f"ask while trial {self.trial.number} is not told")
        t0 = time.perf_counter()
        self.trial = self.study.ask()
        self.seconds = time.perf_counter() - t0
        return {"number": self.trial.number}

    def suggest(self, req):
        if self.trial is None:
            raise RuntimeError("suggest without a trial (ask first)")
        d = req["dist"]
        distribution(d)  # validates before timing
        t0 = time.perf_counter()
        value = suggest(self.trial, req["name"], d)
        self.seconds += time.perf_counter() - t0
        if isinstance(value, float) and not math.isfinite(value):
            raise RuntimeError(f"Optuna suggested a non-finite value {value!r} for {req['name']}")
        return {"value": value}

    def tell(self, req):
        if self.trial is None:
            raise RuntimeError("tell without a trial (ask first)")
        trial, self.trial = self.trial, None
        t0 = time.perf_counter()
        if req.get("state") == "fail":
            self.study.tell(trial, state=TrialState.FAIL)
        else:
            values = [float(v) for v in req["values"]]
            self.study.tell(trial, values if len(values) > 1 else values[0])
        self.seconds += time.perf_counter() - t0
        return {"seconds": self.seconds}


def main():
    send({
        "ok": True,
        "hello": "tansaku-optuna-bridge",
        "optuna": optuna.__version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "samplers": {name: name not in UNAVAILABLE for name in SAMPLERS},
        "unavailable": UNAVAILABLE,
    })
    bridge = Bridge()
    ops = {"create": bridge.create, "ask": bridge.ask, "suggest": bridge.suggest, "tell": bridge.tell}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "quit":
                break
            if op not in ops:
                raise ValueError(f"unknown op {op!r}")
            reply = ops[op](req)
            reply["ok"] = True
        except Unavailable as e:
            reply = {"ok": False, "code": "unavailable", "error": str(e)}
        except Missing as e:
            reply = {"ok": False, "code": "missing", "error": str(e)}
        except Exception as e:  # noqa: BLE001 - reported to the TS side, which raises it
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        send(reply)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the TS side says what happened
        sys.exit(130)
