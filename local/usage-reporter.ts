/**
 * When a parent process started `npm start` with an IPC channel (the bench and the load run do),
 * it may ask what this process has used so far: CPU time and memory. Nothing else is answered.
 */
export interface ProcessUsage {
  cpu: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
}

export const answerUsageQueries = (): void => {
  const send = process.send?.bind(process);
  if (!send) return;
  process.on('message', (message) => {
    if (message !== 'usage') return;
    const usage: ProcessUsage = { cpu: process.cpuUsage(), memory: process.memoryUsage() };
    send(usage);
  });
  // The channel must not keep the process alive once the parent has gone.
  process.channel?.unref();
};
