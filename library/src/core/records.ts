/**
 * Records keyed by names users choose — parameters, attributes, options. Optuna accepts any name, so
 * `__proto__`, `constructor` and `toString` are names too, and a plain object takes them for its own
 * machinery: `o[name] = v` with `__proto__` sets the prototype instead of a key, and `o[name]` reads
 * an inherited `toString` when the record has no such key. Records stay plain objects (users compare
 * and print them); these two helpers write and read them by name.
 *
 * @example
 * const params: Record<string, number> = {};
 * setName(params, '__proto__', 1); // an own key, as for any other name
 * ownValue(params, 'toString'); // undefined: not Object.prototype.toString
 */
export function setName<T>(record: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') Object.defineProperty(record, name, { value, writable: true, enumerable: true, configurable: true });
  else record[name] = value;
}

/** The record's own value for `name`, or undefined (never an inherited property). */
export function ownValue<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
