/**
 * The web host must refuse anyone without this start's token, and any foreign Origin, because a
 * WebSocket is not protected by CORS: otherwise any website could read every chat.
 */
import WebSocket from 'ws';
import { test, expect } from './fixtures/test';

function wsOpen(url: string, headers: Record<string, string>): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.once('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.once('error', () => resolve({ opened: false }));
  });
}

test('HTTP without the token is refused; with it the app loads', async ({ page, host, request }) => {
  const bare = await request.get(`${host.origin}/`, { maxRedirects: 0 });
  expect(bare.status()).toBe(401);
  const wrong = await request.get(`${host.origin}/?token=not-the-token`, { maxRedirects: 0 });
  expect(wrong.status()).toBe(401);
  const asset = await request.get(`${host.origin}/index.html`, { maxRedirects: 0 });
  expect(asset.status()).toBe(401);

  await page.goto(host.url);
  await expect(page.getByLabel('New chat').first()).toBeVisible();
  // The token moved from the address bar into an HttpOnly cookie.
  expect(new URL(page.url()).searchParams.get('token')).toBeNull();
});

test('the API socket refuses a missing token, a wrong token and a foreign origin', async ({ host }) => {
  const wsUrl = host.origin.replace('http', 'ws') + '/api';
  const own = { Origin: host.origin };
  expect(await wsOpen(wsUrl, own)).toMatchObject({ opened: false, status: 401 });
  expect(await wsOpen(`${wsUrl}?token=wrong`, own)).toMatchObject({ opened: false, status: 401 });
  expect(await wsOpen(`${wsUrl}?token=${host.token}`, { Origin: 'https://evil.example' })).toMatchObject({
    opened: false,
    status: 403,
  });
  expect(await wsOpen(`${wsUrl}?token=${host.token}`, {})).toMatchObject({ opened: false, status: 403 });
  expect(await wsOpen(`${wsUrl}?token=${host.token}`, { ...own, Host: 'evil.example' })).toMatchObject({
    opened: false,
    status: 421,
  });
  expect(await wsOpen(`${wsUrl}?token=${host.token}`, own)).toEqual({ opened: true });
});

test('a bad payload over the socket gets a typed error and the host keeps serving', async ({ host }) => {
  const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/api?token=${host.token}`, {
    headers: { Origin: host.origin },
  });
  await new Promise((resolve) => ws.once('open', resolve));
  const replies: unknown[] = [];
  ws.on('message', (data) => replies.push(JSON.parse(data.toString())));
  ws.send(JSON.stringify({ type: 'call', id: 1, method: 'sessions.rename', input: { id: 'nope', title: 5 } }));
  ws.send(JSON.stringify({ type: 'call', id: 2, method: 'sessions.list', input: {} }));
  await expect.poll(() => replies.length).toBe(2);
  expect(replies[0]).toMatchObject({
    type: 'result',
    id: 1,
    envelope: { ok: false, error: { code: 'invalid_input' } },
  });
  expect(replies[1]).toMatchObject({ type: 'result', id: 2, envelope: { ok: true, value: { items: [] } } });
  ws.close();
});
