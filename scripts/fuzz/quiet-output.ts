/**
 * Thousands of requests log tens of thousands of lines (info on stdout, warnings and errors on
 * stderr); the run's report would drown in them. Until `restore` is called, text written to
 * either stream is dropped; the report goes through `write`, which still reaches stdout.
 */
type Write = typeof process.stdout.write;

const swallow = ((_chunk: string | Uint8Array, ...rest: unknown[]) => {
  const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
  callback?.();
  return true;
}) as Write;

export const quietOutput = (): { write: (text: string) => void; restore: () => void } => {
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = swallow;
  process.stderr.write = swallow;
  return {
    write: (text) => {
      stdout(text);
    },
    restore: () => {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    },
  };
};
