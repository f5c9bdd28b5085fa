/** Exit codes: 0 success, 2 bad usage or bad input, 1 failure. Errors print as one line on stderr. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

export class InputError extends Error {
  readonly exitCode = 2;
}
