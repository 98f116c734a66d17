/**
 * Billing settings: the allocation-number thresholds (a dated table), the cash ID threshold,
 * payment terms and the footer note, kept as one JSON value in `settings`; the starting number of
 * each type lives in `document_sequences` (settable until that type's first document is issued).
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { DOCUMENT_TYPES, type BillingSettings, type DocumentType } from '../api/contract/billing';
import type { Business } from '../api/contract/business';
import { ApiError } from '../api/errors';
import type { SettingsStore } from '../platform/settings';
import { DEFAULT_ALLOCATION_THRESHOLDS, type AllocationThreshold } from './money';

const KEY = 'billing';
const BUSINESS_ID = 1;

const storedSchema = z
  .object({
    allocationThresholds: z
      .array(z.object({ from: z.string(), amountAgorot: z.number().int().min(0) }))
      .min(1)
      .default(() => DEFAULT_ALLOCATION_THRESHOLDS.map((t) => ({ ...t }))),
    /** ₪5,000: a cash payment above it needs the customer's ID number. */
    cashIdThresholdAgorot: z.number().int().min(0).default(500_000),
    paymentTermsDays: z.number().int().min(0).default(30),
    footerNote: z.string().default(''),
  })
  .default({
    allocationThresholds: DEFAULT_ALLOCATION_THRESHOLDS.map((t) => ({ ...t })),
    cashIdThresholdAgorot: 500_000,
    paymentTermsDays: 30,
    footerNote: '',
  });
export type StoredBillingSettings = z.infer<typeof storedSchema>;

export interface BillingSettingsStore {
  get(): StoredBillingSettings & { allocationThresholds: AllocationThreshold[] };
}

export class BillingSettingsService implements BillingSettingsStore {
  constructor(
    private readonly sqlite: Database,
    private readonly store: SettingsStore,
    private readonly business: { get(): Business },
  ) {}

  get(): StoredBillingSettings {
    const s = this.store.get(KEY, storedSchema);
    return {
      ...s,
      allocationThresholds: [...s.allocationThresholds].sort((a, b) => a.from.localeCompare(b.from)),
    };
  }

  private sequences(): Map<DocumentType, { next: number; first: number | null; issued: boolean }> {
    const out = new Map<DocumentType, { next: number; first: number | null; issued: boolean }>();
    for (const t of DOCUMENT_TYPES) {
      const seq = this.sqlite
        .prepare('select next_number n from document_sequences where business_id = ? and type = ?')
        .get(BUSINESS_ID, t) as { n: number } | undefined;
      const issued = this.sqlite
        .prepare(
          "select min(number) first, max(number) last from documents where business_id = ? and type = ? and status <> 'draft'",
        )
        .get(BUSINESS_ID, t) as { first: number | null; last: number | null };
      out.set(t, {
        next: seq?.n ?? (issued.last ?? 0) + 1,
        first: issued.first,
        issued: issued.first !== null,
      });
    }
    return out;
  }

  view(): BillingSettings {
    const s = this.get();
    const seq = this.sequences();
    const b = this.business.get();
    const startingNumbers = {} as Record<DocumentType, number>;
    const nextNumbers = {} as Record<DocumentType, number>;
    for (const [t, v] of seq) {
      startingNumbers[t] = v.first ?? v.next;
      nextNumbers[t] = v.next;
    }
    return {
      startingNumbers,
      lockedTypes: [...seq].filter(([, v]) => v.issued).map(([t]) => t),
      nextNumbers,
      allocationThresholds: s.allocationThresholds,
      cashIdThresholdAgorot: s.cashIdThresholdAgorot,
      paymentTermsDays: s.paymentTermsDays,
      footerNote: s.footerNote,
      vatRateBp: b.vatRateBp,
      dealerType: b.businessType,
    };
  }

  set(patch: {
    startingNumbers?: Partial<Record<DocumentType, number>>;
    allocationThresholds?: AllocationThreshold[];
    cashIdThresholdAgorot?: number;
    paymentTermsDays?: number;
    footerNote?: string;
  }): BillingSettings {
    this.sqlite
      .transaction(() => {
        for (const [type, start] of Object.entries(patch.startingNumbers ?? {}) as Array<
          [DocumentType, number]
        >) {
          const issued = this.sqlite
            .prepare(
              "select 1 from documents where business_id = ? and type = ? and status <> 'draft' limit 1",
            )
            .get(BUSINESS_ID, type);
          const current = this.sequences().get(type)!;
          if (issued && current.first !== start)
            throw new ApiError(
              'conflict',
              `the numbering of ${type} is fixed once its first document is issued / לא ניתן לשנות את המספור אחרי הפקת המסמך הראשון מסוג זה`,
              { type },
              'numbering_locked',
            );
          if (issued) continue;
          this.sqlite
            .prepare(
              `insert into document_sequences (business_id, type, next_number) values (?, ?, ?)
               on conflict (business_id, type) do update set next_number = excluded.next_number`,
            )
            .run(BUSINESS_ID, type, start);
        }
        const { startingNumbers: _ignored, ...rest } = patch;
        const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
        if (Object.keys(defined).length) this.store.set(KEY, { ...this.get(), ...defined });
      })
      .immediate();
    return this.view();
  }
}
