// Peers start in any order under docker compose: wait for one to answer, with a bound.
export async function waitFor(
  name: string,
  probe: () => Promise<unknown>,
  seconds: number,
  onWait?: (error: string) => void,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await probe();
      return;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (Date.now() + delay > deadline)
        throw new Error(`${name} did not answer within ${seconds} s: ${message}`);
      onWait?.(message);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
