/** Where a command writes. Tests pass collectors; the bin passes the process's streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What each command gets: its output, and the exit code `run` returns (0 unless a command sets it). */
export interface CommandContext {
  readonly io: CliIo;
  exitCode: number;
}

export const processIo: CliIo = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
};
