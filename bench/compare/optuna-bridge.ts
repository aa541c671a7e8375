/**
 * The TypeScript side of the Optuna bridge: drives Optuna 3.1's samplers (in `optuna_bridge.py`, run by
 * `/usr/bin/python3`) from a benchmark problem's define-by-run `evaluate`.
 *
 * A problem asks its parameters synchronously (`params.suggestFloat(...)` returns a number), so each
 * suggest must reach Optuna and come back before `evaluate` goes on. The bridge therefore offers a
 * synchronous API: the python process is owned by a small worker thread (`bridge-io.mjs`) and the calling
 * thread sleeps in `Atomics.wait` until the reply is there (then takes it with `receiveMessageOnPort`).
 * One python process serves all runs of a bridge, one after the other (Optuna's import costs ~0.5 s).
 *
 * @example
 * ```ts
 * const bridge = OptunaBridge.open();            // throws OptunaBridgeError if python3/optuna is missing
 * bridge.create('tpe', 7, ['minimize']);
 * for (let i = 0; i < 100; i++) {
 *   bridge.ask();
 *   const y = problem.evaluate(bridge.params, rng); // suggests are forwarded to Optuna's trial
 *   const optunaSeconds = bridge.tell(y);        // Optuna's own time for this trial (ask+suggests+tell)
 * }
 * bridge.close();
 * ```
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { CategoricalChoice, OrdinalValue } from 'tansaku';
import type { ParameterSource } from '../problems/problem.js';

/** The python that runs the bridge: `$TANSAKU_PYTHON`, else Debian's `/usr/bin/python3` (python3-optuna). */
export const DEFAULT_PYTHON = process.env.TANSAKU_PYTHON ?? '/usr/bin/python3';
export const BRIDGE_SCRIPT = fileURLToPath(new URL('./optuna_bridge.py', import.meta.url));
const IO_WORKER = new URL('./bridge-io.mjs', import.meta.url);

/** Optuna samplers the bridge knows (see optuna_bridge.py for their exact settings). */
export const OPTUNA_SAMPLER_NAMES = ['random', 'tpe', 'tpe-mv', 'qmc', 'cmaes', 'nsga2'] as const;
export type OptunaSamplerName = (typeof OPTUNA_SAMPLER_NAMES)[number];

/**
 * Why the bridge failed: `PYTHON_MISSING` (no python at that path), `OPTUNA_MISSING` (optuna does not
 * import), `MODULE_MISSING` (a sampler's package does not import: CMA-ES without `cmaes`, QMC without
 * `scipy`), `UNAVAILABLE` (a sampler that cannot run on this problem, e.g. CMA-ES on two objectives), `TIMEOUT`,
 * `CLOSED` (python exited or the bridge was closed), `OPTUNA_ERROR` (Optuna raised; the message is its).
 */
export type OptunaBridgeErrorCode =
  | 'PYTHON_MISSING'
  | 'OPTUNA_MISSING'
  | 'MODULE_MISSING'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'OPTUNA_ERROR';

export class OptunaBridgeError extends Error {
  constructor(
    readonly code: OptunaBridgeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OptunaBridgeError';
  }
}

/** What the bridge reported when it started. */
export interface OptunaBridgeInfo {
  optuna: string;
  python: string;
  executable: string;
  /** Sampler name -> whether it can run here. */
  samplers: Record<string, boolean>;
  /** Sampler name -> why it cannot run here. */
  unavailable: Record<string, string>;
}

export interface OptunaBridgeOptions {
  /** Python executable (default {@link DEFAULT_PYTHON}). */
  python?: string;
  /** Longest wait for one reply, in ms (default 10 minutes: one TPE ask late in a long study is slow). */
  timeoutMs?: number;
  /** Environment of the python process (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

interface Reply {
  ok: boolean;
  fatal?: boolean;
  error?: string;
  code?: string;
  [key: string]: unknown;
}

/**
 * Quick check, without starting a bridge: does `python` import Optuna 3.x? For tests that skip without it.
 */
export function hasOptuna(python = DEFAULT_PYTHON): boolean {
  return spawnSync(python, ['-c', 'import optuna; assert optuna.__version__.startswith("3.")'], { stdio: 'ignore' }).status === 0;
}

/** A synchronous JSON-lines connection to one `optuna_bridge.py` process. */
export class OptunaBridge {
  readonly info: OptunaBridgeInfo;
  /** The ParameterSource of the current trial: forwards each suggest to Optuna's `trial.suggest_*`. */
  readonly params: ParameterSource;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private seen = 0;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly python: string;
  private trialOpen = false;

  private constructor(python: string, timeoutMs: number, env: NodeJS.ProcessEnv) {
    this.python = python;
    this.timeoutMs = timeoutMs;
    this.flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(IO_WORKER, {
      workerData: { python, script: BRIDGE_SCRIPT, port: port2, signal: this.flag.buffer, env: { ...env } },
      transferList: [port2],
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.port.unref();
    const hello = this.wait('start');
    if (!hello.ok) {
      this.shutdown();
      const missingPython = /was not found|cannot start/.test(hello.error ?? '');
      throw new OptunaBridgeError(
        missingPython ? 'PYTHON_MISSING' : 'OPTUNA_MISSING',
        missingPython
          ? String(hello.error)
          : `Optuna is not usable with ${python}: ${hello.error} (Debian: apt-get install -y python3-optuna)`,
      );
    }
    this.info = {
      optuna: String(hello.optuna),
      python: String(hello.python),
      executable: String(hello.executable),
      samplers: hello.samplers as Record<string, boolean>,
      unavailable: hello.unavailable as Record<string, string>,
    };
    this.params = new OptunaParams(this);
  }

  /** Starts python with the bridge and waits for its hello. Throws {@link OptunaBridgeError}. */
  static open(options: OptunaBridgeOptions = {}): OptunaBridge {
    return new OptunaBridge(options.python ?? DEFAULT_PYTHON, options.timeoutMs ?? 600_000, options.env ?? process.env);
  }

  private wait(what: string, timeoutMs = this.timeoutMs): Reply {
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(this.flag, 0) === this.seen) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.flag, 0, this.seen, left) === 'timed-out') {
        this.port.postMessage('kill');
        this.closed = true;
        throw new OptunaBridgeError('TIMEOUT', `no reply from the Optuna bridge to ${what} within ${timeoutMs} ms (python killed)`);
      }
    }
    this.seen++;
    const got = receiveMessageOnPort(this.port);
    if (!got) throw new OptunaBridgeError('CLOSED', `the Optuna bridge woke without a reply to ${what}`);
    return got.message as Reply;
  }

  /** Sends one request and returns the reply; throws on an error reply. */
  call(request: Record<string, unknown>): Reply {
    if (this.closed) throw new OptunaBridgeError('CLOSED', 'the Optuna bridge is closed');
    this.port.postMessage(JSON.stringify(request));
    const reply = this.wait(String(request.op));
    if (!reply.ok) {
      if (reply.fatal) {
        this.closed = true;
        throw new OptunaBridgeError('CLOSED', String(reply.error));
      }
      const code = reply.code === 'unavailable' ? 'UNAVAILABLE' : reply.code === 'missing' ? 'MODULE_MISSING' : 'OPTUNA_ERROR';
      throw new OptunaBridgeError(code, `Optuna (${String(request.op)}): ${reply.error}`);
    }
    return reply;
  }

  /** Starts a new in-memory Optuna study (replacing the previous one) with sampler `name` seeded `seed`. */
  create(sampler: string, seed: number, directions: readonly ('minimize' | 'maximize')[]): void {
    this.trialOpen = false;
    this.call({ op: 'create', sampler, seed, directions });
  }

  /** `study.ask()`: starts a trial; returns its number. */
  ask(): number {
    const reply = this.call({ op: 'ask' });
    this.trialOpen = true;
    return reply.number as number;
  }

  /**
   * `study.tell()` for the current trial: finite values complete it, `null` (or a non-finite value) fails
   * it. Returns Optuna's own time for the trial in seconds (ask + suggests + tell, measured in python).
   */
  tell(values: number | readonly number[] | null): number {
    const list = values === null ? null : typeof values === 'number' ? [values] : [...values];
    const ok = list?.every((v) => Number.isFinite(v));
    const reply = this.call(ok ? { op: 'tell', values: list } : { op: 'tell', state: 'fail' });
    this.trialOpen = false;
    return reply.seconds as number;
  }

  /** Is a trial asked and not yet told? */
  get inTrial(): boolean {
    return this.trialOpen;
  }

  /** Ends python (quit, then SIGKILL if it has not exited within 5 s) and the I/O thread. Idempotent. */
  close(): void {
    if (this.closed) {
      this.shutdown();
      return;
    }
    this.closed = true;
    this.port.postMessage('quit');
    try {
      this.wait('quit', 5000);
    } catch {
      /* wait() killed python on timeout */
    }
    this.shutdown();
  }

  private shutdown(): void {
    this.closed = true;
    void this.worker.terminate();
    this.port.close();
  }

  /** The python executable this bridge runs. */
  get pythonPath(): string {
    return this.python;
  }
}

/** Forwards suggests to the bridge's current Optuna trial (categorical/ordinal values by index). */
class OptunaParams implements ParameterSource {
  constructor(private readonly bridge: OptunaBridge) {}

  private value(name: string, dist: Record<string, unknown>): unknown {
    if (!this.bridge.inTrial)
      throw new OptunaBridgeError('OPTUNA_ERROR', `suggest ${JSON.stringify(name)} outside a trial (call ask() first)`);
    return this.bridge.call({ op: 'suggest', name, dist }).value;
  }

  suggestFloat(name: string, low: number, high: number, options: { log?: boolean; step?: number | null } = {}): number {
    return this.value(name, { type: 'float', low, high, log: options.log ?? false, step: options.step ?? null }) as number;
  }

  suggestInt(name: string, low: number, high: number, options: { log?: boolean; step?: number } = {}): number {
    return this.value(name, { type: 'int', low, high, log: options.log ?? false, step: options.step ?? 1 }) as number;
  }

  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    if (choices.length === 0) throw new OptunaBridgeError('OPTUNA_ERROR', `parameter ${JSON.stringify(name)}: no choices`);
    return choices[this.value(name, { type: 'categorical', n: choices.length }) as number];
  }

  suggestOrdinal<T extends OrdinalValue>(name: string, values: readonly T[]): T {
    if (values.length === 0) throw new OptunaBridgeError('OPTUNA_ERROR', `parameter ${JSON.stringify(name)}: no values`);
    return values[this.value(name, { type: 'ordinal', n: values.length }) as number];
  }
}
