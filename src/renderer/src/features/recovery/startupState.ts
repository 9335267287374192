import type { ConfabApi } from '@shared/client';
import type { StartupState } from '@shared/startup';

/**
 * Asks the host how it started. If it cannot say (the connection failed), the app starts anyway
 * and reports what goes wrong there, as it always has.
 */
export async function readStartupState(api: ConfabApi): Promise<StartupState> {
  try {
    return await api.app.startup({});
  } catch {
    return { state: 'ready' };
  }
}
