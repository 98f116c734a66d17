import { z } from 'zod';

export const id = z.number().int().positive();
export const idInput = z.object({ id });
export const empty = z.object({}).strict().optional();
export const ok = z.object({ ok: z.literal(true) });
/** Pagination that stays cheap: limit ≤ 100. */
export const pageInput = z.object({
  page: z.number().int().min(1).max(1_000_000).default(1),
  limit: z.number().int().min(1).max(100).default(25),
});
export const paged = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int().nonnegative(),
    page: z.number().int(),
    limit: z.number().int(),
  });
/** Epoch milliseconds (UTC). */
export const epochMs = z.number().int();
/** Money in integer agorot. */
export const agorot = z.number().int().min(-1_000_000_000_00).max(1_000_000_000_00);
