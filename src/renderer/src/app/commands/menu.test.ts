import { describe, expect, it } from 'vitest';
import { menuModel } from './menu';

describe('the menu model', () => {
  it('lists the menu-worthy commands by section, with Electron accelerators', () => {
    const menu = menuModel();
    expect(menu.map((s) => s.label)).toEqual(['File', 'Edit', 'View', 'Window']);
    const file = menu.find((s) => s.section === 'file')!;
    expect(file.items).toEqual([
      { commandId: 'chat.new', label: 'New chat', accelerator: 'CmdOrCtrl+T' },
      { commandId: 'app.settings', label: 'Settings' },
      { commandId: 'tab.close', label: 'Close tab', accelerator: 'CmdOrCtrl+W' },
      { commandId: 'tab.reopen', label: 'Reopen closed tab', accelerator: 'CmdOrCtrl+Shift+T' },
    ]);
    const edit = menu.find((s) => s.section === 'edit')!;
    expect(edit.items.map((i) => i.accelerator)).toEqual(['CmdOrCtrl+F', 'CmdOrCtrl+K']);
    const window = menu.find((s) => s.section === 'window')!;
    expect(window.items.map((i) => [i.label, i.accelerator])).toContainEqual(['Next tab', 'Ctrl+Tab']);
  });

  it('is plain data that can cross to main', () => {
    const menu = menuModel();
    expect(JSON.parse(JSON.stringify(menu))).toEqual(menu);
    // Labels that depend on the chat shown (Pin / Unpin) are for the palette, not a fixed menu.
    expect(menu.flatMap((s) => s.items).map((i) => i.commandId)).not.toContain('chat.pin');
  });
});
