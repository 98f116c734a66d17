/** Typed domain errors, mapped to HTTP statuses (and IPC envelopes) in this one place. */
export const API_ERROR_STATUS = {
  bad_input: 400,
  unauthorized: 401,
  forbidden: 403,
  feature_disabled: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  /** The disk refused the write (full, or a disk I/O error): nothing was saved. */
  storage_full: 507,
  not_configured: 501,
  /** PayPal / Tranzila flag on but its keys are missing (Settings → payments). */
  payments_not_configured: 501,
  unavailable: 503,
  /** Recovery mode: the database is damaged, only system.info and system.startFresh answer. */
  database_unavailable: 503,
  internal: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export interface ApiErrorBody {
  /** Machine-readable: an ApiErrorCode, or `<feature>_disabled` for a disabled feature. */
  error: string;
  code: ApiErrorCode;
  message: string;
  details?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    /** Overrides `error` in the body, e.g. `crm_disabled`. */
    readonly errorName?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }

  toBody(): ApiErrorBody {
    return {
      error: this.errorName ?? this.code,
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);
export const badInput = (message: string, details?: unknown) => new ApiError('bad_input', message, details);

/** A write the disk refused: nothing was saved, and the caller is told so (never "not found"). */
export const storageFull = () =>
  new ApiError(
    'storage_full',
    'storage is full: the change was not saved / הדיסק מלא: השינוי לא נשמר. פנו מקום בדיסק ונסו שוב.',
  );
