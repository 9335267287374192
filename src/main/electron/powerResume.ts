/**
 * Wake from sleep: the OS says the machine resumed, and team sync runs a round at once instead
 * of waiting for its timer (the core also notices a wall-clock jump on its own, on every host).
 */
import { powerMonitor } from 'electron';
import type { AppRuntime } from '../core/startup';

export function syncOnResume(runtime: () => AppRuntime | null): void {
  powerMonitor.on('resume', () => runtime()?.core?.sync.wake());
}
