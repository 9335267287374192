/**
 * Claims and lifecycle of replies: one reply per chat at a time, any number of chats at once.
 * A claim is taken before anything is written (so a second send in the same chat is refused
 * without side effects) and released once the reply is final in the database.
 */
import { ConfabError } from '@shared/errors';

/** Why a reply was cut short: the user's Stop, the app closing, the database gone, the size limit. */
export type StopReason = 'user' | 'shutdown' | 'db' | 'limit';

export interface Generation {
  sessionId: string;
  controller: AbortController;
  /** Resolves once the reply is final in the DB (or the DB is gone). */
  finished: Promise<void>;
  finish(): void;
}

export class Generations {
  private readonly active = new Map<string, Generation>();
  private closing = false;

  get isClosing(): boolean {
    return this.closing;
  }

  sessionIds(): string[] {
    return [...this.active.keys()];
  }

  claim(sessionId: string): Generation {
    if (this.closing) throw new ConfabError('db_unavailable', 'Confab is closing.');
    if (this.active.has(sessionId)) {
      throw new ConfabError('conflict', 'This chat is still writing a reply. Wait for it to finish, or stop it first.');
    }
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const gen: Generation = { sessionId, controller: new AbortController(), finished, finish };
    this.active.set(sessionId, gen);
    return gen;
  }

  release(gen: Generation): void {
    if (this.active.get(gen.sessionId) === gen) this.active.delete(gen.sessionId);
    gen.finish();
  }

  /** Stops the chat's reply and resolves once its partial text is saved. */
  async stop(sessionId: string): Promise<boolean> {
    const gen = this.active.get(sessionId);
    if (!gen) return false;
    gen.controller.abort('user' satisfies StopReason);
    await gen.finished;
    return true;
  }

  /** Refuses new replies and ends every running one as interrupted (text kept). */
  async shutdown(): Promise<void> {
    this.closing = true;
    const gens = [...this.active.values()];
    for (const gen of gens) gen.controller.abort('shutdown' satisfies StopReason);
    await Promise.all(gens.map((g) => g.finished));
  }
}
