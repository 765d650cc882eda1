/** The agent's errors carry a code callers branch on (workload reasons, metrics, tests); the name is the subclass's. */
export class CodedError<C extends string> extends Error {
  readonly code: C;

  constructor(code: C, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}
