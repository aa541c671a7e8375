#!/usr/bin/env python3
"""A command objective in Python (standard library only): tansaku optimize runs it once per trial.

    npx tansaku optimize --command 'python3 examples/python-objective.py --lr {lr} --width {width}' \
      --space examples/search-space.json --storage tansaku.journal --study py --n-trials 40 --n-jobs 4 \
      --pruner-options n_startup_trials=5,n_warmup_steps=5

Parameters arrive as {placeholders} in argv, as TANSAKU_PARAM_<NAME> environment variables and in the
JSON file named by TANSAKU_PARAMS_FILE. Each epoch it prints "tansaku:report <epoch> <loss>" (flushed,
so Tansaku sees it at once); when the pruner decides the trial is hopeless, Tansaku sends SIGTERM
(then SIGKILL after a grace period) and records the trial as PRUNED. The result is the last stdout line.
"""
import argparse
import json
import math
import os
import random
import signal
import sys
import time


def on_sigterm(signum, frame):
    # Stopped by the pruner (or a timeout, or Ctrl-C on tansaku): clean up and leave quickly.
    print("stopped by tansaku", file=sys.stderr, flush=True)
    sys.exit(143)


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--width", type=int, required=True)
    args = parser.parse_args()
    with open(os.environ["TANSAKU_PARAMS_FILE"]) as f:
        params = json.load(f)  # every parameter of the space, e.g. params["act"]
    act = os.environ.get("TANSAKU_PARAM_ACT", params.get("act"))
    trial = int(os.environ.get("TANSAKU_TRIAL_NUMBER", "0"))
    rng = random.Random(trial)

    # A stand-in for training: the validation loss falls over the epochs, best near lr=3e-3, width=128.
    floor = 0.05 + math.log10(args.lr / 3e-3) ** 2 + math.log2(args.width / 128) ** 2 / 20
    floor += 0.0 if act == "relu" else 0.1
    loss = float("inf")
    for epoch in range(30):
        loss = floor + 1.0 / (epoch + 1) + rng.gauss(0, 0.005)
        print(f"tansaku:report {epoch} {loss}", flush=True)
        time.sleep(0.05)
    print(f"final validation loss {loss:.4f}", file=sys.stderr)
    print(loss)  # the result: the last line of stdout


if __name__ == "__main__":
    main()
