/** The promise's value, or `timedOut` once `ms` pass; the work itself cannot be stopped, only abandoned. */
export const within = async <T>(
  ms: number,
  work: () => Promise<T>,
): Promise<{ value: T } | { timedOut: true }> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
  });
  try {
    return await Promise.race([work().then((value) => ({ value })), deadline]);
  } finally {
    clearTimeout(timer);
  }
};
