/** A test helper: the process warnings (Tansaku's, by code) emitted while a piece of work runs. */

/** Runs `fn` and returns it with the process warnings emitted meanwhile (code, message, ms since the start). */
export async function withWarnings<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; warnings: { code?: string; message: string; at: number }[] }> {
  const warnings: { code?: string; message: string; at: number }[] = [];
  const t0 = Date.now();
  const onWarning = (w: Error & { code?: string }) => warnings.push({ code: w.code, message: w.message, at: Date.now() - t0 });
  process.on('warning', onWarning);
  try {
    const value = await fn();
    await new Promise((res) => setImmediate(res)); // warnings are emitted on the next tick
    return { value, warnings };
  } finally {
    process.off('warning', onWarning);
  }
}
