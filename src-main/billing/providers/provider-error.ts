/** Why a payment provider call did not give an answer we can use. Never carries a key. */
export type ProviderErrorKind =
  /** The keys were refused (401/403 from the provider). */
  | 'auth'
  /** The provider answered with a refusal (4xx): the issue code says why. */
  | 'refused'
  /** No answer, a timeout or a 5xx: try again later. */
  | 'unreachable'
  /** An answer we could not read. */
  | 'bad_answer';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
    /** The provider's own issue code (PayPal `details[0].issue`, e.g. ORDER_NOT_APPROVED). */
    readonly issue?: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
