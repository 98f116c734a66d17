import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toEditable, toStored } from '../../src-renderer/lib/contract-placeholders';

describe('template placeholders as the owner edits them', () => {
  it('shows {{…}} by its Hebrew name in brackets, and stores it back', () => {
    expect(toEditable('בין {{business.name}} ל{{customer.name}}.')).toBe('בין [שם העסק] ל[שם הלקוח].');
    expect(toStored('בין [שם העסק] ל[שם הלקוח].')).toBe('בין {{business.name}} ל{{customer.name}}.');
  });
  it('leaves what is no placeholder as typed: a typo in braces, other brackets', () => {
    expect(toEditable('{{date.tomorow}} [הערה]')).toBe('{{date.tomorow}} [הערה]');
    expect(toStored('{{date.tomorow}} [הערה] [ שם הלקוח ]')).toBe(
      '{{date.tomorow}} [הערה] {{customer.name}}',
    );
  });
  it('round-trips every shipped template exactly', () => {
    const dir = path.join(__dirname, '../../resources/contracts');
    for (const f of readdirSync(dir)) {
      const body = readFileSync(path.join(dir, f), 'utf8');
      expect(toEditable(body)).not.toMatch(/\{\{/);
      expect(toStored(toEditable(body))).toBe(body);
    }
  });
});
