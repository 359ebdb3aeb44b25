/** The instance is stopping (SIGTERM): no new stream starts here. */
export class InstanceStoppingError extends Error {
  static readonly detail = 'This instance is stopping; reconnect';
  constructor() {
    super(InstanceStoppingError.detail);
  }
}

/** The user holds as many event streams as one may. */
export class TooManyStreamsError extends Error {
  static readonly detail = (max: number) =>
    `You have ${max} event streams open, the most one user may; close one first`;
  constructor(max: number) {
    super(TooManyStreamsError.detail(max));
  }
}
