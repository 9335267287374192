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

/**
 * On Linux without a keyring, safeStorage silently falls back to "basic_text", a fixed
 * obfuscation key shared by every Chromium app: not encryption worth the name. The host then
 * uses the 0600 key file instead, as the web host does.
 */
export function hasStrongSafeStorage(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  return !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
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
