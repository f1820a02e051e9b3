// Exit codes and signals told in words, in one table.

const SIGNALS: Record<string, string> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
  SIGQUIT: 'quit',
  SIGILL: 'illegal instruction',
  SIGTRAP: 'trace trap',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGFPE: 'arithmetic exception',
  SIGKILL: 'killed',
  SIGUSR1: 'user signal 1',
  SIGSEGV: 'segmentation fault',
  SIGUSR2: 'user signal 2',
  SIGPIPE: 'broken pipe',
  SIGALRM: 'alarm clock',
  SIGTERM: 'terminated',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'file size limit exceeded',
  SIGSYS: 'bad system call',
};

const EXIT_CODES: Record<number, string> = {
  125: 'the sandbox could not be set up',
  126: 'command found but not executable',
  127: 'command not found',
};

export function describeSignal(signal: string): string {
  const words = SIGNALS[signal];
  return words ? `${signal} (${words})` : signal;
}

export function describeExitCode(code: number): string {
  const words = EXIT_CODES[code];
  return words ? `${code} (${words})` : String(code);
}
