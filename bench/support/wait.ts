/** Polls `probe` every 100 ms until it holds; fails the benchmark after `limitMs`. */
export async function waitUntil(probe: () => Promise<boolean>, limitMs = 600_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error("benchmark step exceeded its time budget");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
