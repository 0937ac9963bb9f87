/** `--help` or `-h` anywhere on the command line: the usage on stdout, and a clean exit before any work. */
export const exitWithUsageIfAsked = (
  usage: string,
  argv: readonly string[] = process.argv.slice(2),
): void => {
  if (!argv.some((arg) => arg === '--help' || arg === '-h')) return;
  console.log(usage);
  process.exit(0);
};
