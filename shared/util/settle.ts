/**
 * Runs independent steps concurrently but reports like sequential code would: if several
 * fail, the error of the earliest step in argument order wins, whatever finished first.
 */
export const allInOrder = async <A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> => {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
};
