/** An error caused by the user's input (a flag, a move, a file): reported as one clear line, never a stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A move that the rules forbid. The state is unchanged when this is thrown. */
export class IllegalMoveError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'IllegalMoveError';
  }
}

/**
 * Some lines of a line-by-line command's input failed (each already reported on stderr): exit
 * status 1, unlike usage errors (2), with the count.
 */
export class LinesFailedError extends UserError {
  readonly exitCode = 1;
  constructor(failed: number, total: number, verb = 'solved') {
    super(`${failed} of ${total} input line${total === 1 ? '' : 's'} could not be ${verb} (see the errors above)`);
    this.name = 'LinesFailedError';
  }
}
