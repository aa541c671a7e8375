import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, InMemoryStorage, createStudy, type Trial } from '../../src/index.js';
import { intDistribution, type Distribution, type FrozenTrial, type JsonValue, type StudyView } from '../../src/extend.js';
import type { SearchSpace } from '../../src/core/distributions.js';
import {
  ReplaySampler,
  type FreeAnswerLimit,
  type Replay,
  type ReplayRequest,
  type ReplayedSearch,
  type RequestSlot,
} from '../../src/samplers/replay/engine.js';

const SPACE: SearchSpace = { x: intDistribution('x', 0, 9) };

/**
 * The smallest replayed search: it asks for fixed batches of x values, one batch after another, and logs
 * what it receives. A value asked for again is an alias of its first slot, as Nelder-Mead's grid cells.
 */
class ListSearch implements ReplayedSearch {
  readonly received: number[][] = [];
  private next = 0;
  private readonly seen = new Set<number>();

  constructor(private readonly batches: readonly (readonly number[])[]) {}

  first(): ReplayRequest | null {
    return this.take();
  }

  answer(values: readonly number[]): ReplayRequest | null {
    this.received.push([...values]);
    return this.take();
  }

  private take(): ReplayRequest | null {
    const batch = this.batches[this.next++];
    if (batch === undefined) return null;
    return {
      evaluate: batch.map((x): RequestSlot => {
        const alias = this.seen.has(x);
        this.seen.add(x);
        return { id: String(x), params: () => ({ x }), alias };
      }),
    };
  }
}

class ListSampler extends ReplaySampler<ListSearch> {
  readonly name = 'ListSampler';
  protected readonly claimPrefix = 'list:';
  protected readonly configAttr = 'tansaku:list:config';
  /** Every search this sampler started, in order (a rebuilt replay starts a new one). */
  readonly searches: ListSearch[] = [];

  constructor(
    private readonly batches: readonly (readonly number[])[],
    private readonly retries = 0,
    private readonly limit?: FreeAnswerLimit,
  ) {
    super();
  }

  protected seedOf(study: StudyView): number {
    return study.seed;
  }

  protected async findSpace(): Promise<{ space: SearchSpace }> {
    return { space: SPACE };
  }

  protected storedConfig(seed: number): JsonValue {
    return { seed, batches: this.batches as JsonValue };
  }

  protected startSearch(_replay: Replay): ListSearch {
    const search = new ListSearch(this.batches);
    this.searches.push(search);
    return search;
  }

  protected override staleRetries(): number {
    return this.retries;
  }

  protected override freeAnswerLimit(): FreeAnswerLimit {
    return this.limit ?? super.freeAnswerLimit();
  }

  sampleIndependent(_study: StudyView, _trial: FrozenTrial, _name: string, _distribution: Distribution): number {
    return 0;
  }

  get last(): ListSearch {
    return this.searches[this.searches.length - 1];
  }
}

const loss = (trial: Trial) => (trial.suggestInt('x', 0, 9) - 4) ** 2;

async function failAsStale(study: Awaited<ReturnType<typeof createStudy>>): Promise<Trial> {
  const trial = await study.ask();
  trial.setSystemAttr('fail_reason', 'stale: no heartbeat (test)');
  await study.tell(trial, 'FAIL');
  return trial;
}

function claimOf(trial: Trial): unknown {
  return trial.snapshot().systemAttrs['tansaku:claim'];
}

describe('replay engine', () => {
  it('evaluates each point once, lets an alias reuse its value, and feeds the search its trials values', async () => {
    const sampler = new ListSampler([[2, 5], [2], [5, 7]]);
    const study = await createStudy({ sampler });
    await study.optimize(loss, { nTrials: 20 });
    const trials = await study.trials;
    assert.deepEqual(
      trials.map((t) => [t.params.x, t.systemAttrs['tansaku:claim']]),
      [
        [2, 'list:2'],
        [5, 'list:5'],
        [7, 'list:7'],
      ],
      'one trial per distinct point, then the study is exhausted',
    );
    assert.deepEqual(sampler.last.received, [[4, 1], [4], [1, 9]]);
    assert.equal(sampler.searches.length, 1);
  });

  it('negates the values of a maximised study (the search minimises)', async () => {
    const sampler = new ListSampler([[2, 5]]);
    const study = await createStudy({ sampler, direction: 'maximize' });
    await study.optimize(loss, { nTrials: 5 });
    assert.deepEqual(sampler.last.received, [[-4, -1]]);
  });

  it('re-claims a point failed by the heartbeat rule, with an attempt number, up to staleRetries times', async () => {
    const sampler = new ListSampler([[3], [6]], 1);
    const study = await createStudy({ sampler });
    assert.equal(claimOf(await failAsStale(study)), 'list:3');
    assert.equal(claimOf(await failAsStale(study)), 'list:3:1', 'one retry');
    // Retries spent: the point counts as the worst value and the search moves on.
    const next = await study.ask();
    assert.equal(claimOf(next), 'list:6');
    assert.deepEqual(sampler.last.received, [[Infinity]]);
    // A fresh process reads the attempts back from the claim keys and agrees.
    const fresh = new ListSampler([[3], [6]], 1);
    assert.deepEqual(await fresh.planTrial(study), { kind: 'defer' });
    assert.deepEqual(fresh.last.received, [[Infinity]]);
  });

  it('counts an ordinary failure as the worst value without a retry', async () => {
    const sampler = new ListSampler([[3], [6]], 2);
    const study = await createStudy({ sampler });
    const trial = await study.ask();
    await study.tell(trial, 'FAIL');
    assert.equal(claimOf(await study.ask()), 'list:6');
    assert.deepEqual(sampler.last.received, [[Infinity]]);
  });

  it("takes a heartbeat retry (failed_trial) for its original's point, and replays from scratch when its value changes a used one", async () => {
    const sampler = new ListSampler([[3], [6], [8]]);
    const study = await createStudy({ sampler });
    const victim = await failAsStale(study); // staleRetries 0: +∞ at once
    await study.optimize(loss, { nTrials: 1 }); // point 6
    await sampler.planTrial(study); // point 8 next
    assert.deepEqual(sampler.last.received, [[Infinity], [4]]);
    await study.storage.createTrial(study.studyId, {
      template: { state: 'WAITING', systemAttrs: { fixed_params: { x: 3 }, failed_trial: victim.number } },
    });
    await study.optimize(loss, { nTrials: 2 }); // runs the retry, then point 8
    assert.deepEqual(await sampler.planTrial(study), { kind: 'exhausted' });
    assert.equal(sampler.searches.length, 2, 'the changed value rebuilt the replay');
    assert.deepEqual(sampler.last.received, [[1], [4], [16]]);
    const trials = await study.trials;
    assert.deepEqual(
      trials.map((t) => [t.params.x ?? t.systemAttrs.fixed_params, t.state]),
      [
        [{ x: 3 }, 'FAIL'], // its worker died before the objective suggested x
        [6, 'COMPLETE'],
        [3, 'COMPLETE'],
        [8, 'COMPLETE'],
      ],
    );
  });

  it('counts trials made elsewhere only through the search (here: none), so a free trial of the same x does not stand in', async () => {
    const sampler = new ListSampler([[4]]);
    const study = await createStudy({ sampler });
    await study.enqueueTrial({ x: 4 });
    await study.optimize(loss, { nTrials: 5 });
    assert.deepEqual(
      (await study.trials).map((t) => t.systemAttrs['tansaku:claim'] ?? null),
      [null, 'list:4'],
    );
  });

  it('refuses a worker whose options differ, naming both', async () => {
    const storage = new InMemoryStorage();
    const first = await createStudy({ storage, studyName: 's', sampler: new ListSampler([[1]]) });
    await first.optimize(loss, { nTrials: 1 });
    const other = new ListSampler([[2]]);
    const joined = await createStudy({ storage, studyName: 's', sampler: other, loadIfExists: true });
    await assert.rejects(
      other.planTrial(joined),
      (e: unknown) =>
        e instanceof InvalidArgumentError &&
        /started by a ListSampler with other options/.test(e.message) &&
        /\[\[1\]\]/.test(e.message) &&
        /\[\[2\]\]/.test(e.message),
    );
  });

  it('reads only the trials from the oldest unfinished one on', async () => {
    const sampler = new ListSampler([[1], [2], [3], [4], [5]]);
    const storage = new InMemoryStorage();
    const study = await createStudy({ storage, sampler });
    await study.optimize(loss, { nTrials: 3 });
    const froms: (number | undefined)[] = [];
    const read = storage.getAllTrials.bind(storage);
    storage.getAllTrials = (id, options) => {
      froms.push(options?.fromNumber);
      return read(id, options);
    };
    const running = await study.ask(); // point 4; trial 2 was still running at the last read
    await sampler.planTrial(study); // defers: reads from the running trial on
    await study.tell(running, 0);
    await sampler.planTrial(study); // reads the finished trial again, and nothing before it
    assert.deepEqual(froms, [2, 3, 3]);
  });

  it('ends a search that receives too many known points in a row: exhausted, or an error when that means it is broken', async () => {
    const loop = [[1], ...Array.from({ length: 50 }, () => [1])];
    const exhausted = new ListSampler(loop, 0, { points: 10, outcome: 'exhausted' });
    const a = await createStudy({ sampler: exhausted });
    await a.optimize(loss, { nTrials: 5 });
    assert.equal((await a.trials).length, 1);
    const broken = new ListSampler(loop, 0, { points: 10, outcome: 'error' });
    const b = await createStudy({ sampler: broken });
    await assert.rejects(b.optimize(loss, { nTrials: 5 }), /received 10 already known points in a row .* does not progress/);
  });
});
