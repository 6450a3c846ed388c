// The one error a command shows as it is: a message already written for the user, and the exit
// code. Anything else that reaches the top is an internal error (bin/subnet.mjs says so).
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
