/** A rule or zone the contract does not accept; `reason` is the sentence a 400 shows for `recurrence.rule`. */
export class RuleError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RuleError';
  }
}
