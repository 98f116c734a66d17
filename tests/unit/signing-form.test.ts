/**
 * The signing form's own logic, shared by both bundles: why a submission was refused, read from
 * every shape the server answers with (public route, service, the API's zod errors), and the
 * Israeli ID check digit the form checks before sending.
 */
import { describe, expect, it } from 'vitest';
import { validIsraeliId } from '../../src-main/contracts/text';
import { fieldErrorsFrom } from '../../src-renderer/signing/errors';

describe('the signing form', () => {
  it('names the refused fields from every answer shape', () => {
    // POST /sign/<token>: zod paths.
    expect(fieldErrorsFrom({ ok: false, reason: 'bad_input', fields: ['name', 'strokes.0.points'] })).toEqual(
      {
        name: 'name',
        signature: 'signature',
      },
    );
    // The service's own check, on either transport.
    expect(
      fieldErrorsFrom({
        ok: false,
        reason: 'bad_input',
        details: { fields: { idNumber: 'invalid', signature: 'too_large', consent: 'required' } },
      }),
    ).toEqual({ idNumber: 'idNumber', signature: 'signatureTooLarge', consent: 'consent' });
    // The API's envelope: the dispatcher's flattened zod error.
    expect(
      fieldErrorsFrom({
        error: 'bad_input',
        code: 'bad_input',
        message: 'invalid input',
        details: { formErrors: [], fieldErrors: { png: ['too long'], name: ['too short'] } },
      }),
    ).toEqual({ signature: 'signature', name: 'name' });
    expect(fieldErrorsFrom({ error: 'conflict', details: { missing: ['customer.idNumber'] } })).toEqual({});
    expect(fieldErrorsFrom(null)).toEqual({});
    expect(fieldErrorsFrom('<html>')).toEqual({});
  });

  it('checks the ID number’s check digit', () => {
    // Shorter numbers are padded with zeros on the left (00018 is 000000018).
    for (const ok of ['123456782', '000000018', '039337423', '00018'])
      expect(validIsraeliId(ok), ok).toBe(true);
    for (const bad of ['123456789', '000000019', '18', '12345678a', '1234567890', ''])
      expect(validIsraeliId(bad), bad).toBe(false);
  });
});
