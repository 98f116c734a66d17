import { EventEmitter } from 'node:events';
import type { EventName, EventPayload } from './contract';
import type { EventMessage } from './envelope';

/** The live-events channel inside the main process; transports subscribe and forward. */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    this.emitter.emit('event', { name, payload } satisfies EventMessage);
  }

  subscribe(listener: (msg: EventMessage) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
