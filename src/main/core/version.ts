// Injected at build time from package.json by electron-vite's define (see electron.vite.config.ts);
// tests and tsx runs fall back to a dev marker.
declare const __CONFAB_VERSION__: string | undefined;

export const APP_VERSION: string = typeof __CONFAB_VERSION__ === 'string' ? __CONFAB_VERSION__ : '0.0.0-dev';
