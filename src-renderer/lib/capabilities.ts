/**
 * One question every entry point asks before offering a capability: is it built (the list in
 * src-main/api/contract/business.ts), and are its flags on? 'soon' wins over the flags: a
 * capability that does not exist yet is never offered as working, whatever its flag says.
 */
import { isFlagBuilt, type FeatureFlag, type Features } from '../../src-main/api/contract/business';
import { useApp } from '../app-context';

export type Availability = 'ready' | 'soon' | 'off';

export function availability(features: Features | undefined, flags: readonly FeatureFlag[]): Availability {
  if (flags.some((f) => !isFlagBuilt(f))) return 'soon';
  if (features && flags.some((f) => !features[f])) return 'off';
  return 'ready';
}

/** True when the capability behind these flags is built and switched on. */
export function useAvailable(...flags: FeatureFlag[]): boolean {
  const { business } = useApp();
  return availability(business?.features, flags) === 'ready';
}
