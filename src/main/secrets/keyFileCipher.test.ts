import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { KEY_FILE_NAME, keyFileCipher } from './keyFileCipher';

const POSIX = process.platform !== 'win32';
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-keyfile-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfabError);
    return (err as ConfabError).code;
  }
}

describe('keyFileCipher', () => {
  it('round-trips text, with a fresh IV each time, and makes the key file on first use only', () => {
    const dir = join(tempDir(), 'data');
    const cipher = keyFileCipher(dir);
    expect(() => statSync(join(dir, KEY_FILE_NAME))).toThrow();
    const secret = 'sk-live-ünïcødé-🔑-0123456789';
    const a = cipher.encrypt(secret);
    const b = cipher.encrypt(secret);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from(secret))).toBe(false);
    expect(cipher.decrypt(a)).toBe(secret);
    expect(cipher.decrypt(b)).toBe(secret);
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
    // Another instance (the next start) reads the same key.
    expect(keyFileCipher(dir).decrypt(a)).toBe(secret);
    expect(readFileSync(join(dir, KEY_FILE_NAME))).toHaveLength(32);
  });

  it.runIf(POSIX)('writes the key file readable by the user only (0600)', () => {
    const dir = tempDir();
    keyFileCipher(dir).encrypt('x');
    expect(statSync(join(dir, KEY_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it.runIf(POSIX)('tightens a key file that others could read before using it', () => {
    const dir = tempDir();
    const sealed = keyFileCipher(dir).encrypt('kept');
    chmodSync(join(dir, KEY_FILE_NAME), 0o644);
    expect(keyFileCipher(dir).decrypt(sealed)).toBe('kept');
    expect(statSync(join(dir, KEY_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it.runIf(POSIX)('refuses a key file that is a symbolic link', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'elsewhere'), Buffer.alloc(32, 1), { mode: 0o600 });
    symlinkSync(join(dir, 'elsewhere'), join(dir, KEY_FILE_NAME));
    expect(codeOf(() => keyFileCipher(dir).encrypt('x'))).toBe('secrets_unavailable');
  });

  it('refuses a damaged key file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, KEY_FILE_NAME), Buffer.alloc(31, 7), { mode: 0o600 });
    expect(codeOf(() => keyFileCipher(dir).encrypt('x'))).toBe('secrets_unavailable');
  });

  it('refuses tampered data and data sealed with another key', () => {
    const cipher = keyFileCipher(tempDir());
    const sealed = cipher.encrypt('secret');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(codeOf(() => cipher.decrypt(tampered))).toBe('secrets_unavailable');
    expect(codeOf(() => keyFileCipher(tempDir()).decrypt(sealed))).toBe('secrets_unavailable');
    expect(codeOf(() => cipher.decrypt(Buffer.from('short')))).toBe('secrets_unavailable');
    const wrongVersion = Buffer.from(sealed);
    wrongVersion[0] = 9;
    expect(codeOf(() => cipher.decrypt(wrongVersion))).toBe('secrets_unavailable');
  });
});
