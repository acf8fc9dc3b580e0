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
