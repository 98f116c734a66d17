/**
 * Why a signature was refused, from either way it is submitted: the public route's body
 * (`fields`: zod paths, or `details.fields` from the service) or the API's bad_input details
 * (the service's `{fields}`, or zod's flattened `fieldErrors`). Only field names are read.
 */
export type SignField = 'name' | 'idNumber' | 'signature' | 'consent';
export type SignErrorKey = 'name' | 'idNumber' | 'signature' | 'signatureTooLarge' | 'consent';
export type FieldErrors = Partial<Record<SignField, SignErrorKey>>;

const FIELD_OF: Record<string, SignField> = {
  name: 'name',
  idNumber: 'idNumber',
  consent: 'consent',
  signature: 'signature',
  strokes: 'signature',
  png: 'signature',
};

function add(out: FieldErrors, key: string, code?: unknown): void {
  const field = FIELD_OF[key.split('.')[0] ?? ''];
  if (!field) return;
  out[field] = field === 'signature' && code === 'too_large' ? 'signatureTooLarge' : field;
}

export function fieldErrorsFrom(body: unknown): FieldErrors {
  const out: FieldErrors = {};
  const visit = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.fields)) for (const p of o.fields) if (typeof p === 'string') add(out, p);
    for (const key of ['fields', 'fieldErrors'] as const) {
      const rec = o[key];
      if (rec && typeof rec === 'object' && !Array.isArray(rec))
        for (const [k, code] of Object.entries(rec)) add(out, k, code);
    }
    if (o.details) visit(o.details);
  };
  visit(body);
  return out;
}
