/**
 * Loaded into every test process (`npm test` imports it): Secpass's structured log lines and
 * metric records are written to stdout and stderr as text, where the test runner would print them
 * between results. They are dropped at the bottom of each stream's chain, so a test that hooks the
 * stream to read them still sees every line; `SECPASS_TEST_LOGS=1` shows them all.
 */
const isSecpassRecord = (line: string) =>
  /^\{"(level|_aws)":/.test(line) && line.includes('"service":"secpass"');

const quiet = (stream: NodeJS.WriteStream) => {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    // Bytes are the test runner's own messages to its parent process: never touched.
    if (typeof chunk !== 'string') return write(chunk, ...rest);
    const kept = chunk
      .split(/(?<=\n)/)
      .filter((line) => !isSecpassRecord(line.trimEnd()))
      .join('');
    if (kept !== '') return write(kept, ...rest);
    // A callback still fires, as it would for a write that reached the terminal.
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
};

if (process.env.SECPASS_TEST_LOGS !== '1') {
  quiet(process.stdout);
  quiet(process.stderr);
}
