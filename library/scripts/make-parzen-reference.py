"""Reference Parzen estimators for library/test/samplers/tpe-parzen.test.ts, from Optuna 3.1 (Debian's
python3-optuna; run by hand with /usr/bin/python3):

    /usr/bin/python3 library/scripts/make-parzen-reference.py > library/test/fixtures/parzen-reference.json

Each fixture is a search space, observations and their weights (Optuna's default_weights), univariate or
multivariate; it records the estimator's mixture weights, each parameter's kernel means and sigmas (or
categorical kernel probabilities), and log_pdf at 100 points drawn from the estimator itself. Discrete
axes get at most 15 observations (16 kernels with the prior): beyond 16 values NumPy's default sort is
not stable, and the order of tied observations decides which of them gets which bandwidth.
"""
import json

import numpy as np
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights


def tansaku(d):
    if isinstance(d, FloatDistribution):
        return {"type": "float", "low": d.low, "high": d.high, "log": d.log, "step": d.step}
    if isinstance(d, IntDistribution):
        return {"type": "int", "low": d.low, "high": d.high, "log": d.log, "step": d.step}
    return {"type": "categorical", "choices": list(d.choices)}


def observe(rng, d, n):
    if isinstance(d, CategoricalDistribution):
        return rng.randint(0, len(d.choices), size=n).astype(float)
    if isinstance(d, IntDistribution):
        values = np.arange(d.low, d.high + 1, d.step)
        return rng.choice(values, size=n).astype(float)
    if d.step is not None:
        k = int(round((d.high - d.low) / d.step))
        return d.low + d.step * rng.randint(0, k + 1, size=n)
    if d.log:
        return np.exp(rng.uniform(np.log(d.low), np.log(d.high), size=n))
    return rng.uniform(d.low, d.high, size=n)


SPACES = [
    {"x": FloatDistribution(-5, 5)},
    {"lr": FloatDistribution(1e-5, 1e-1, log=True)},
    {"s": FloatDistribution(0, 1, step=0.1)},
    {"n": IntDistribution(1, 9)},
    {"n": IntDistribution(0, 100, step=5)},
    {"units": IntDistribution(8, 1024, log=True)},
    {"act": CategoricalDistribution(["relu", "tanh", "gelu"])},
    {"x": FloatDistribution(0, 1), "y": FloatDistribution(-2, 2)},
    {"lr": FloatDistribution(1e-4, 1, log=True), "n": IntDistribution(1, 6), "act": CategoricalDistribution(["a", "b"])},
    {"a": FloatDistribution(0, 10, step=0.5), "b": IntDistribution(2, 64, log=True), "c": CategoricalDistribution([1, 2, 3, 4])},
]

fixtures = []
rng = np.random.RandomState(2024)
for index, space in enumerate(SPACES):
    discrete = any(not isinstance(d, FloatDistribution) or d.step is not None for d in space.values())
    for multivariate in (False, True):
        # Every space with many observations; the first two also with none (the prior alone) and few.
        for n in ([15] if discrete else [30]) + ([0, 3] if index < 2 else []):
            observations = {name: observe(rng, d, n) for name, d in space.items()}
            weights = default_weights(n)[:n]
            params = _ParzenEstimatorParameters(True, 1.0, True, False, default_weights, multivariate)
            pe = _ParzenEstimator(observations, space, params)
            points = pe.sample(np.random.RandomState(index * 10 + n), 100)
            kernels = {}
            for name, d in space.items():
                if isinstance(d, CategoricalDistribution):
                    kernels[name] = {"probabilities": pe._categorical_weights[name].tolist()}
                else:
                    kernels[name] = {"mus": pe._mus[name].tolist(), "sigmas": pe._sigmas[name].tolist()}
            fixtures.append(
                {
                    "space": {name: tansaku(d) for name, d in space.items()},
                    "multivariate": multivariate,
                    "observations": {name: v.tolist() for name, v in observations.items()},
                    "observationWeights": [float(w) for w in weights],
                    "weights": pe._weights.tolist(),
                    "kernels": kernels,
                    "points": {name: v.tolist() for name, v in points.items()},
                    "logPdf": pe.log_pdf(points).tolist(),
                }
            )
print(json.dumps(fixtures))
