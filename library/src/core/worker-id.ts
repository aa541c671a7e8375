import { hostname } from 'node:os';

let counter = 0;
const processTag = Math.floor(Math.random() * 0x100000000)
  .toString(16)
  .padStart(8, '0');

/**
 * A worker id `host:pid:tag-n`, unique per Study object (or storage) in this process. Recorded on the
 * trials a worker runs, so a person can tell which machine and process ran a trial.
 */
export function defaultWorkerId(): string {
  counter++;
  return `${hostname()}:${process.pid}:${processTag}-${counter}`;
}
