import { EventEmitter } from 'node:events';
import type { EventMap, EventName } from '@shared/contract';
import type { Emitter } from '../kit/handlers';

/** Typed events from the core to every connected view (Electron windows, web host sockets). */
export class CoreEvents implements Emitter {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One subscriber per window or WebSocket: more than ten is normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  emit<E extends EventName>(name: E, payload: EventMap[E]): void {
    this.emitter.emit('event', name, payload);
  }

  subscribe(listener: (name: EventName, payload: unknown) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
