import type { EventBus } from '../api/events';
import type { FeatureModule } from '../core/module';
import type { BusinessService } from './business-service';

export function businessModule(service: BusinessService, bus: EventBus): FeatureModule {
  const changed = () => {
    const b = service.get();
    bus.emit('business.updated', b);
    return b;
  };
  return {
    name: 'business',
    handlers: {
      'business.get': () => service.get(),
      'business.updateProfile': (input) => {
        service.updateProfile(input);
        return changed();
      },
      'business.updateKnowledge': (input) => {
        service.updateKnowledge(input);
        return changed();
      },
      'business.setFeatures': (input) => {
        service.setFeatures(input);
        return changed();
      },
    },
  };
}
