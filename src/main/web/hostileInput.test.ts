/**
 * Frames and paths that used to take the web host down, or send the browser elsewhere. Each case
 * must be refused for that socket or request only, with every other user of the host unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_MAX_CHARS, WS_MAX_FRAME_BYTES } from '@shared/limits';
import { startTestWebHost, type TestWebHost } from '../../../tests/helpers/webHost';

let t: TestWebHost;
let cookie: string;

beforeAll(async () => {
  t = await startTestWebHost();
  cookie = `confab_token=${t.host.token}`;
});
afterAll(async () => {
  await t?.close();
});

/** The host still answers a fresh socket: nothing above took it down. */
async function hostStillServes(): Promise<void> {
  const s = await t.socket();
  const answer = await s.call('sessions.list', {});
  expect(answer.ok).toBe(true);
  s.ws.close();
}

describe('WebSocket frames', () => {
  it('closes only the socket that sent a frame over the size limit (1009); another socket keeps working', async () => {
    const bystander = await t.socket();
    const sender = await t.socket();
    sender.ws.send('x'.repeat(WS_MAX_FRAME_BYTES + 1));
    expect(await sender.closed).toBe(1009);
    expect((await bystander.call('sessions.list', {})).ok).toBe(true);
    bystander.ws.close();
    await hostStillServes();
  });

  it('closes only the socket that sent invalid UTF-8 in a text frame (1007)', async () => {
    const sender = await t.socket();
    sender.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await sender.closed).toBe(1007);
    await hostStillServes();
  });

  it('takes the largest valid message, even in three-byte characters: the frame limit follows the contract', async () => {
    const s = await t.socket();
    const session = await s.call('sessions.create', {});
    const id = (session.value as { id: string }).id;
    // 2.9 million CJK characters: 8.7 MB of UTF-8, over the old 8 MiB frame limit.
    const sent = await s.call('chat.send', { sessionId: id, content: '漢'.repeat(2_900_000) });
    expect(sent.ok).toBe(true);
    const over = await s.call('chat.send', { sessionId: id, content: 'x'.repeat(MESSAGE_MAX_CHARS + 1) });
    expect(over.error?.code).toBe('invalid_input');
    expect(over.error?.message).toMatch(/at most 5,000,000 characters/);
    s.ws.close();
  });

  it('refuses binary and unparseable frames by closing that socket (1003)', async () => {
    for (const frame of [Buffer.from([1, 2, 3]), 'not json', '{"type":"call","id":"1","method":"x"}']) {
      const s = await t.socket();
      if (typeof frame === 'string') s.ws.send(frame);
      else s.ws.send(frame, { binary: true });
      expect(await s.closed).toBe(1003);
    }
    await hostStillServes();
  });
});

describe('HTTP requests', () => {
  it('answers a malformed percent-encoding with 400, for the page and the socket path alike', async () => {
    for (const path of ['/%', '/%E0%A4%A', '/assets/%ZZ.js', '/%00']) {
      const res = await t.get(path, { Cookie: cookie });
      expect(res.status, path).toBe(400);
    }
    await hostStillServes();
  });

  it('treats a malformed token cookie as no token (401), never as an error', async () => {
    expect((await t.get('/', { Cookie: 'confab_token=%' })).status).toBe(401);
    expect((await t.get('/', { Cookie: 'confab_token=%E0%A4%A' })).status).toBe(401);
    await hostStillServes();
  });

  it('redirects only to its own paths after trading the token for a cookie', async () => {
    for (const path of ['/.//evil.example/', '//evil.example/', '/\\evil.example/', '/./\\/evil.example/x']) {
      const res = await t.get(`${path}?token=${t.host.token}`);
      expect(res.status, path).toBe(303);
      const location = String(res.headers.location);
      expect(location.startsWith('/'), location).toBe(true);
      expect(/^\/[/\\]/.test(location), location).toBe(false);
      // A browser resolves the target against our own origin.
      expect(new URL(location, t.origin).origin).toBe(t.origin);
    }
  });

  it('still serves the page with the cookie', async () => {
    const res = await t.get('/', { Cookie: cookie });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Confab</title>');
  });
});
