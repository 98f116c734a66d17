import type { z } from 'zod';
import type { FeatureFlag } from './contract/feature-flags';

export interface MethodDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** The business feature flag that must be on; off → 403 `<feature>_disabled`. */
  feature?: FeatureFlag;
  /** Human description, shown in docs. */
  summary: string;
}

export const method = <I extends z.ZodType, O extends z.ZodType>(def: MethodDef<I, O>): MethodDef<I, O> =>
  def;
