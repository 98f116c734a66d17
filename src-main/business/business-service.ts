import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { business } from '../db/schema';
import {
  featuresSchema,
  knowledgeSchema,
  type Business,
  type BusinessProfile,
  type Features,
  type Knowledge,
} from '../api/contract/business';
import type { Clock } from '../platform/clock';

/** The app serves one business; its row is created on first start. */
export const BUSINESS_ID = 1;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** The business profile, knowledge and feature flags, with a cached copy of the flags for hot paths. */
export class BusinessService {
  private cached: Business | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.db.insert(business).values({ id: BUSINESS_ID }).onConflictDoNothing().run();
  }

  get(): Business {
    if (this.cached) return this.cached;
    const row = this.db.select().from(business).where(eq(business.id, BUSINESS_ID)).get();
    if (!row) throw new Error('business row missing');
    const value: Business = {
      id: row.id,
      name: row.name,
      legalName: row.legalName,
      vatId: row.vatId,
      businessType: row.businessType,
      phone: row.phone,
      ownerPhone: row.ownerPhone,
      email: row.email,
      address: row.address,
      city: row.city,
      website: row.website,
      vatRateBp: row.vatRateBp,
      knowledge: knowledgeSchema.parse(parseJson(row.knowledge)),
      features: featuresSchema.parse(parseJson(row.features)),
      updatedAt: row.updatedAt,
    };
    this.cached = value;
    return value;
  }

  features(): Features {
    return this.get().features;
  }

  updateProfile(patch: Partial<BusinessProfile>): Business {
    this.db
      .update(business)
      .set({ ...patch, updatedAt: this.clock.now() })
      .where(eq(business.id, BUSINESS_ID))
      .run();
    return this.reload();
  }

  updateKnowledge(patch: Partial<Knowledge>): Business {
    const knowledge = { ...this.get().knowledge, ...patch };
    this.db
      .update(business)
      .set({ knowledge: JSON.stringify(knowledge), updatedAt: this.clock.now() })
      .where(eq(business.id, BUSINESS_ID))
      .run();
    return this.reload();
  }

  setFeatures(patch: Partial<Features>): Business {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const features = { ...this.get().features, ...defined };
    this.db
      .update(business)
      .set({ features: JSON.stringify(features), updatedAt: this.clock.now() })
      .where(eq(business.id, BUSINESS_ID))
      .run();
    return this.reload();
  }

  private reload(): Business {
    this.cached = undefined;
    return this.get();
  }
}
