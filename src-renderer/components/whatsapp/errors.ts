import type { WaMessage } from '../../../src-main/api/contract/whatsapp';
import { ApiCallError } from '../../api';
import { he } from '../../i18n/he';
import { errorMessage } from '../States';
import { fieldErrors } from '../crm/util';

const errors: Record<string, string> = he.whatsapp.errors;

/** Hebrew for a refused send: the core's WhatsApp code, a file the schema refused, or the common text. */
export function sendErrorText(err: unknown): string {
  if (err instanceof ApiCallError) {
    if (errors[err.body.error] && err.body.error !== 'generic') return errors[err.body.error]!;
    const fields = Object.values(fieldErrors(err));
    const known = fields.find((f) => errors[f]);
    if (known) return errors[known]!;
  }
  return errorMessage(err);
}

/** Why a message failed, in Hebrew (with the provider's code for support when there is one). */
export function failureText(m: Pick<WaMessage, 'error' | 'providerErrorCode'>): string {
  return (m.error && errors[m.error]) || errors.generic!;
}
