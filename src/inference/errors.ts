/**
 * Errors of the inference engine. `PromptError` and `GenerationTimeoutError` carry a sentence a user can read; the
 * rest are for developers and the log.
 */

/** Something a user asked for cannot be done; the message says why in plain words. */
export class PromptError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = 'PromptError';
  }
}

/** The request ran out of time before any music was written. */
export class GenerationTimeoutError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = 'GenerationTimeoutError';
  }
}

/** The model files do not fit this code (another vocabulary, text tokenizer or a damaged file). */
export class ModelMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelMismatchError';
  }
}

/** The model folder is missing files or holds an unreadable manifest. */
export class ModelFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFilesError';
  }
}

/** The error a cancelled request rejects with: the signal's reason, or an AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The request was cancelled.', 'AbortError');
}

/** True for errors whose message is meant for the person who made the request. */
export function isUserFacing(error: unknown): error is Error & { userFacing: true } {
  return error instanceof Error && (error as { userFacing?: unknown }).userFacing === true;
}
