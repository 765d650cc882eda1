/** The agent's errors carry a code callers branch on (workload reasons, metrics, tests); the name is the subclass's. */
export class CodedError<C extends string> extends Error {
  readonly code: C;

  constructor(code: C, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An error's code when it carries one in the agent's form (upper case and underscores), else undefined. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : undefined;
}
