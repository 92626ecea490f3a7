/** Lets the event loop answer what waits (a request, a timer) before long work goes on: call it between slices of that work. */
export const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Slices of at most `size` items, in order, the event loop let through between one and the next. */
export async function* inSlices<Item>(items: readonly Item[], size: number): AsyncGenerator<readonly Item[]> {
  for (let start = 0; start < items.length; start += size) {
    if (start > 0) await breathe();
    yield items.slice(start, start + size);
  }
}
