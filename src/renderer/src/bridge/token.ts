/**
 * The web host's per-start token. The page is opened as `/?token=…`; we keep the token in
 * sessionStorage so that a reload without the query still authenticates the socket (the server
 * also sets a cookie, but a socket URL that carries the token does not depend on cookie policy).
 */
import { TOKEN_PARAM, WS_PATH } from '@shared/wire';

const STORAGE_KEY = 'confab.token';

type TokenStorage = Pick<Storage, 'getItem' | 'setItem'>;

export function resolveToken(search: string, storage: TokenStorage | null): string | null {
  const fromQuery = new URLSearchParams(search).get(TOKEN_PARAM);
  try {
    if (fromQuery) {
      storage?.setItem(STORAGE_KEY, fromQuery);
      return fromQuery;
    }
    return storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    // Storage can be unavailable (privacy modes, opaque origins); the query or cookie still works.
    return fromQuery || null;
  }
}

export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

export function socketUrl(location: PageLocation, storage: TokenStorage | null): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const token = resolveToken(location.search, storage);
  const query = token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : '';
  return `${scheme}://${location.host}${WS_PATH}${query}`;
}
