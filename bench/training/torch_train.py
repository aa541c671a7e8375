"""PyTorch reference for bench/training: training samples/s of the same models on one CPU thread.

Run by bench/training/run.ts with Debian's /usr/bin/python3 (python3-torch, PyTorch 1.13):
    /usr/bin/python3 bench/training/torch_train.py '{"model": "mlp", "batch": 128, "warmupSeconds": 1, "minSeconds": 2, "reps": 3}'
Prints one line `RESULT {json}`: for each repetition the steps run, their wall seconds and the CPU seconds
of this process (time.process_time), as the TypeScript workers report them.

The models match bench/training/models.ts: the MLP 784-128-4096-10 (ReLU) and the small CNN
(conv3x3x32 same, ReLU, maxpool 2, conv3x3x64 same, ReLU, maxpool 2, dense 128 ReLU, dense 10), mean
softmax cross-entropy, plain SGD (lr 0.01), random inputs (samples/s does not depend on the values),
four batches used in turn.
"""
import json
import os
import sys
import time

# One thread means one thread for every library PyTorch calls, set before they load: Debian's PyTorch
# (BLAS_INFO=generic) multiplies matrices with the system BLAS, OpenBLAS's pthread build here, whose own
# thread pool ignores torch.set_num_threads and used every core (CPU time twice the wall time on 2 cores).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import torch  # noqa: E402  (after the thread variables)
import torch.nn as nn  # noqa: E402


def build(model: str) -> nn.Module:
    if model == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 4096), nn.ReLU(), nn.Linear(4096, 10))
    if model == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(7 * 7 * 64, 128), nn.ReLU(), nn.Linear(128, 10),
        )
    raise SystemExit(f"unknown model {model}")


def main() -> None:
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build(cfg["model"])
    batch = cfg["batch"]
    shape = (batch, 784) if cfg["model"] == "mlp" else (batch, 1, 28, 28)
    nb = 4
    xs = [torch.randn(*shape) for _ in range(nb)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(nb)]
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    counter = [0]

    def step() -> None:
        i = counter[0] % nb
        counter[0] += 1
        opt.zero_grad()
        loss = loss_fn(model(xs[i]), ys[i])
        loss.backward()
        opt.step()

    def run_for(seconds: float, min_steps: int):
        steps = 0
        w0, c0 = time.perf_counter(), time.process_time()
        while steps < min_steps or time.perf_counter() - w0 < seconds:
            step()
            steps += 1
        return steps, time.perf_counter() - w0, time.process_time() - c0

    run_for(cfg["warmupSeconds"], 2)
    reps = []
    for _ in range(cfg["reps"]):
        steps, wall, cpu = run_for(cfg["minSeconds"], 1)
        reps.append({"steps": steps, "wall": wall, "cpu": cpu})
    print("RESULT " + json.dumps({
        "variant": "pytorch",
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "model": cfg["model"],
        "batch": batch,
        "reps": reps,
    }))


if __name__ == "__main__":
    main()
