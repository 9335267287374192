/**
 * The web host's secret storage: AES-256-GCM with a random key kept in `<dataDir>/secret.key`,
 * readable by the user only. It protects keys in the database (and in backups and exports of
 * it) from anyone who lacks that file; it cannot protect them from the user's own account.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { ConfabError } from '@shared/errors';
import type { SecretCipher } from './cipher';

export const KEY_FILE_NAME = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Format byte first, so that a future scheme can be told apart from this one. */
const VERSION = 1;

const POSIX = process.platform !== 'win32';

function unsafe(path: string, why: string): ConfabError {
  return new ConfabError('secrets_unavailable', `Confab will not use its key file ${path}: ${why}`);
}

function createKeyFile(path: string): Buffer {
  const key = randomBytes(KEY_BYTES);
  // O_EXCL: if another Confab process made the file first, we read its key instead of replacing it.
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, key);
  } finally {
    closeSync(fd);
  }
  return key;
}

function readKeyFile(path: string): Buffer {
  const link = lstatSync(path);
  if (link.isSymbolicLink()) throw unsafe(path, 'it is a symbolic link.');
  if (!link.isFile()) throw unsafe(path, 'it is not a regular file.');
  const fd = openSync(path, constants.O_RDONLY | (POSIX ? constants.O_NOFOLLOW : 0));
  try {
    const stat = fstatSync(fd);
    if (POSIX) {
      const uid = process.getuid?.();
      if (uid !== undefined && stat.uid !== uid) throw unsafe(path, 'it belongs to another user.');
      if ((stat.mode & 0o077) !== 0) {
        // Tighten rather than refuse: a copy or an archive tool may have widened it. If that fails
        // the key may have been read by others, so it is not used.
        try {
          chmodSync(path, 0o600);
        } catch {
          throw unsafe(path, 'other users can read it and its permissions could not be fixed (chmod 600).');
        }
        if ((lstatSync(path).mode & 0o077) !== 0) throw unsafe(path, 'other users can read it (chmod 600 to fix).');
      }
    }
    const key = Buffer.alloc(KEY_BYTES + 1);
    const read = readSync(fd, key, 0, key.length, 0);
    if (read !== KEY_BYTES) throw unsafe(path, 'it is damaged (wrong length).');
    return key.subarray(0, KEY_BYTES);
  } finally {
    closeSync(fd);
  }
}

function loadOrCreateKey(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, KEY_FILE_NAME);
  try {
    return createKeyFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readKeyFile(path);
}

export function keyFileCipher(dataDir: string): SecretCipher {
  // Made on first use, so a data dir that never stores a key never gets a key file.
  let key: Buffer | null = null;
  const getKey = () => (key ??= loadOrCreateKey(dataDir));
  return {
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', getKey(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== VERSION) {
        throw new ConfabError('secrets_unavailable', 'A saved API key is in a format this Confab cannot read.');
      }
      const iv = data.subarray(1, 1 + IV_BYTES);
      const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', getKey(), iv);
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new ConfabError(
          'secrets_unavailable',
          'A saved API key could not be unlocked (the key file changed). Enter the key again.',
        );
      }
    },
  };
}
