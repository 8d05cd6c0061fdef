/**
 * Runs `task` on every item, at most `concurrency` at once, in order of the items. The
 * first failure stops new tasks from starting; the ones running are awaited, then it is
 * thrown (so no request is left running behind an error the publisher already reads).
 * @throws whatever the first failing task threw
 */
export async function runPool<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  let first: unknown;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await task(items[i], i);
      } catch (err) {
        if (!failed) first = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failed) throw first;
}
