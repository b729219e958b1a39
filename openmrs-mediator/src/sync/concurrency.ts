// Work for different patients runs concurrently, with a bound; work for one patient runs in order
// (design.md §4: patient before its encounters, visit before its encounter).

/** Runs `work` for every group with at most `limit` groups at once, items of a group one after another. */
export async function forEachGroup<T>(
  items: T[],
  groupOf: (item: T) => string,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const item of group) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, worker));
}
