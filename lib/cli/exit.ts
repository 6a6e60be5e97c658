// Exit codes are part of the interface scripts rely on; they are mapped in exactly one place (cmd/main.ts).

/** Raised anywhere to end the verb with a one-line message and a documented exit code. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number = 1,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/** Bad flags or arguments: exit 1, message printed as kubectl does ("error: ..."). */
export class UsageError extends ExitError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'UsageError';
  }
}

export const EXIT = {
  ok: 0,
  /** The verb could not run: usage, API, permission, refused. */
  failed: 1,
  /** status: at least one error finding. heal: findings remain. switchover: not verified in time. */
  findings: 2,
} as const;
