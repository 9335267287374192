/**
 * The Electron host's secret storage: the OS keychain through safeStorage (Keychain on macOS,
 * DPAPI on Windows, libsecret/kwallet on Linux).
 */
import { safeStorage } from 'electron';
import { ConfabError } from '@shared/errors';
import type { SecretCipher } from '../secrets/cipher';

function ensureAvailable(): void {
  // Only true once the app is ready and, on Linux, a keyring is reachable.
  if (!safeStorage.isEncryptionAvailable()) {
    throw new ConfabError(
      'secrets_unavailable',
      'This system offers no secure storage for API keys (no keychain or keyring was found).',
    );
  }
}

export function safeStorageCipher(): SecretCipher {
  return {
    encrypt(plain) {
      ensureAvailable();
      return safeStorage.encryptString(plain);
    },
    decrypt(data) {
      ensureAvailable();
      try {
        return safeStorage.decryptString(data);
      } catch {
        throw new ConfabError(
          'secrets_unavailable',
          'A saved API key could not be unlocked by the system keychain. Enter the key again.',
        );
      }
    },
  };
}
