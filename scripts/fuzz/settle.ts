/**
 * Fuzzing crashes MockPass now and then (a made-up authCode at its Singpass token endpoint), and
 * the local stack starts it again in a new process. Stopping the stack while a restart is still
 * under way leaves the new process running and this one unable to exit (@secpass/simulators'
 * mockpass.ts stops only the process it already knows), so the run waits for MockPass to answer
 * again first.
 */
const SETTLE_MS = 20_000;
const POLL_MS = 250;

const answers = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
};

/** Resolves once MockPass has answered twice in a row, or after SETTLE_MS whatever it does. */
export const mockPassSettled = async (mockpassUrl: string): Promise<boolean> => {
  const discovery = `${mockpassUrl}/singpass/v2/.well-known/openid-configuration`;
  const deadline = Date.now() + SETTLE_MS;
  let inARow = 0;
  while (Date.now() < deadline) {
    inARow = (await answers(discovery)) ? inARow + 1 : 0;
    if (inARow === 2) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return false;
};
