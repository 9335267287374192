import { describe, expect, it } from 'vitest';
import { InvalidServerUrl, parseServerUrl, serverClient } from './connection';
import { classifySyncFailure } from './errors';
import { scrubPassword } from './service';

describe('a team server URL', () => {
  it('is shown without its password, and named by host, port, database and user', () => {
    const p = parseServerUrl('postgres://alice:s3cr%40t@db.example.com:6543/team?sslmode=require');
    expect(p).toMatchObject({
      host: 'db.example.com',
      port: 6543,
      database: 'team',
      user: 'alice',
      sslMode: 'require',
    });
    expect(p.display).toBe('postgres://alice@db.example.com:6543/team?sslmode=require');
    expect(parseServerUrl('postgresql://bob:pw@h/db?password=other').display).not.toContain('other');
  });

  it('verifies TLS fully by default, except for a server on this machine', () => {
    expect(parseServerUrl('postgres://a:b@db.example.com/x').sslMode).toBe('verify-full');
    expect(parseServerUrl('postgres://a:b@127.0.0.1:5432/x').sslMode).toBe('disable');
    expect(parseServerUrl('postgres://a:b@localhost/x?sslmode=verify-full').sslMode).toBe('verify-full');
  });

  it("gives pg libpq's sslmode meanings (pg alone reads require as verify-full)", () => {
    const ssl = (url: string) =>
      (serverClient(url) as unknown as { connectionParameters: { ssl: unknown } }).connectionParameters.ssl;
    expect(ssl('postgres://a:b@db.example.com/x?sslmode=disable')).toBe(false);
    expect(ssl('postgres://a:b@db.example.com/x?sslmode=require')).toMatchObject({ rejectUnauthorized: false });
    expect(ssl('postgres://a:b@db.example.com/x?sslmode=verify-full')).toMatchObject({ rejectUnauthorized: true });
    expect(ssl('postgres://a:b@db.example.com/x')).toMatchObject({ rejectUnauthorized: true });
  });

  it('refuses what is not a connection string, saying why', () => {
    expect(() => parseServerUrl('postgres://user@/')).toThrow(InvalidServerUrl);
    expect(() => parseServerUrl('mysql://a:b@h/db')).toThrow(/must start with postgres/);
    expect(() => parseServerUrl('postgres://a:b@h/db?sslmode=maybe')).toThrow(/sslmode must be one of/);
  });

  it('is scrubbed of its password wherever a message repeats it, as written or encoded', () => {
    const url = 'postgres://alice:p%40ss%2Fword@h/db';
    expect(scrubPassword('failed for p@ss/word and p%40ss%2Fword', url)).toBe('failed for *** and ***');
    expect(scrubPassword('nothing here', url)).toBe('nothing here');
  });
});

describe('failure codes the server and the network report', () => {
  it.each([
    [{ code: '28P01', message: 'password authentication failed for user "x"' }, 'auth'],
    [{ code: '28000', message: 'role "x" does not exist' }, 'auth'],
    [
      { code: '28000', message: 'no pg_hba.conf entry for host "1.2.3.4", user "x", database "y", no encryption' },
      'tls',
    ],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'unreachable'],
    [{ code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' }, 'unreachable'],
    [new Error('Connection terminated due to connection timeout'), 'unreachable'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, 'tls'],
    [new Error('The server does not support SSL connections'), 'tls'],
    [{ code: '3F000', message: 'schema "sync" does not exist' }, 'not_initialised'],
    [{ code: '42883', message: 'function sync.hello(text, integer) does not exist' }, 'not_initialised'],
    [{ code: '42501', message: 'permission denied for schema sync' }, 'not_a_member'],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, 'unreachable'],
    [{ code: 'XX000', message: 'something else' }, 'other'],
  ])('%o is %s', (err, code) => {
    expect(classifySyncFailure(err)).toBe(code);
  });
});
