/**
 * What a sampler keeps in memory per study (its replayed path, its claims read so far), keyed by the
 * study's storage and id: one sampler object may serve several studies and storages, and a storage that
 * is no longer used takes its entries with it (a WeakMap). The storage stays the truth; this is a cache.
 *
 * @example
 * private readonly runs = new PerStudy<Run>();
 * const run = this.runs.get(study) ?? this.runs.set(study, newRun());
 */
import type { StudyView } from '../core/sampler.js';

export class PerStudy<T> {
  private readonly byStorage = new WeakMap<object, Map<number, T>>();

  private studies(study: StudyView): Map<number, T> {
    let byStudy = this.byStorage.get(study.storage);
    if (!byStudy) {
      byStudy = new Map();
      this.byStorage.set(study.storage, byStudy);
    }
    return byStudy;
  }

  get(study: StudyView): T | undefined {
    return this.byStorage.get(study.storage)?.get(study.studyId);
  }

  /** Stores `value` for the study and returns it. */
  set(study: StudyView, value: T): T {
    this.studies(study).set(study.studyId, value);
    return value;
  }

  /** Forgets the study's entry, only if it is still `value` when one is given (another may have replaced it). */
  delete(study: StudyView, value?: T): void {
    const byStudy = this.byStorage.get(study.storage);
    if (!byStudy) return;
    if (value === undefined || byStudy.get(study.studyId) === value) byStudy.delete(study.studyId);
  }
}
