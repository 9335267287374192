/**
 * Window size and position, restored at the next start. Kept in a small JSON file beside the
 * database (not in it) so the window can be placed before the DB worker is ready.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserWindow, Rectangle } from 'electron';

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

const DEFAULT: WindowState = { bounds: { x: 0, y: 0, width: 1200, height: 800 }, maximized: false };

export function loadWindowState(dataDir: string, displays: Rectangle[]): WindowState & { centered: boolean } {
  try {
    const raw = JSON.parse(readFileSync(join(dataDir, 'window-state.json'), 'utf8')) as Partial<WindowState>;
    const b = raw.bounds;
    if (!b || ![b.x, b.y, b.width, b.height].every(Number.isFinite)) throw new Error('bad state');
    // A window restored onto a display that is gone would be unreachable: require overlap.
    const visible = displays.some(
      (d) => b.x < d.x + d.width && b.x + b.width > d.x && b.y < d.y + d.height && b.y + b.height > d.y,
    );
    if (!visible) throw new Error('off screen');
    return {
      bounds: { ...b, width: Math.max(800, b.width), height: Math.max(600, b.height) },
      maximized: raw.maximized === true,
      centered: false,
    };
  } catch {
    return { ...DEFAULT, centered: true };
  }
}

export function trackWindowState(win: BrowserWindow, dataDir: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (win.isDestroyed()) return;
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    try {
      writeFileSync(join(dataDir, 'window-state.json'), JSON.stringify(state));
    } catch (err) {
      console.warn('[confab] could not save window state', err);
    }
  };
  const debounced = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  };
  win.on('resize', debounced);
  win.on('move', debounced);
  win.on('close', () => {
    clearTimeout(timer);
    save();
  });
}
