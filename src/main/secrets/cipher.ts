/**
 * How API keys are encrypted before they reach the DB worker. The host picks the implementation
 * (Electron: the OS keychain through safeStorage; web host: a key file only the user can read),
 * so the core never asks which platform it runs on.
 */
import { ConfabError } from '@shared/errors';

export interface SecretCipher {
  encrypt(plain: string): Buffer;
  /** Throws when the data was not made by this cipher (another machine, a lost key). */
  decrypt(data: Buffer): string;
}

/** For cores started without a host cipher (tools, tests): storing a key is refused, loudly. */
export const unavailableCipher: SecretCipher = {
  encrypt() {
    throw new ConfabError('secrets_unavailable', 'Confab cannot store API keys here: no secure storage was set up.');
  },
  decrypt() {
    throw new ConfabError('secrets_unavailable', 'Confab cannot read saved API keys here: no secure storage was set up.');
  },
};
