/**
 * The command registry: every command a user can give, declared once. The Cmd+K palette lists
 * the ones marked `palette`, the keymap runs the ones with `keys`, the sidebar's buttons run them
 * by id, and the Electron menu can be built from the ones with a `menu` section (see menu.ts).
 */
import { exportChatMarkdownCommand } from '../../features/data/commands';
import { shareChatCommand } from '../../features/sync/commands';
import { createChat } from '../../features/sessions/actions';
import { displayTitle } from '../../features/sessions/sessionTitle';
import { closeTab, openView, reopenClosedTab } from '../../features/workspace/actions';
import { activeChatId, activeItem } from '../../features/workspace/store';
import type { AppState, AppStore } from '../types';
import { viewSpec } from '../workspace/views';
import { ctrl, mod, type KeyBinding } from './keys';

export type MenuSection = 'file' | 'edit' | 'view' | 'window';

export interface Command {
  id: string;
  label: string | ((state: AppState) => string);
  /** More words the palette matches, besides the label. */
  keywords?: readonly string[] | ((state: AppState) => readonly string[]);
  /** Keys that run it; the first is the one shown. */
  keys?: readonly KeyBinding[];
  /** Listed in the Cmd+K palette. */
  palette?: boolean;
  /** Where it belongs in the application menu, if anywhere. */
  menu?: MenuSection;
  /** Whether it applies now. When not, its keys are left to the browser (Cmd+F on the Usage tab). */
  when?(state: AppState): boolean;
  run(app: AppStore): void;
}

/** The chat shown in the active tab, if its summary is known. */
function activeSession(state: AppState) {
  const id = activeChatId(state);
  return id ? state.sessionsById[id] : undefined;
}

/** Cmd+F: chats have a find bar; a view has one only if the view registry says so. */
function activeSupportsFind(state: AppState): boolean {
  const item = activeItem(state);
  if (!item) return false;
  return item.kind === 'chat' || viewSpec(item.view).supportsFind;
}

const THEME_LABELS = { system: 'System', light: 'Light', dark: 'Dark' } as const;

const goToTab = (n: number): Command => ({
  id: `tab.goTo${n}`,
  label: `Go to tab ${n}`,
  keys: [mod(String(n))],
  run: (app) => app.getState().activateItemAt(n - 1),
});

/** In palette order: the palette lists its commands in the order they are declared here. */
export const COMMANDS: readonly Command[] = [
  {
    id: 'chat.new',
    label: 'New chat',
    keywords: ['create', 'start'],
    keys: [mod('t')],
    palette: true,
    menu: 'file',
    run: (app) => void createChat(app),
  },
  {
    id: 'app.settings',
    label: 'Settings',
    keywords: ['providers', 'models', 'preferences'],
    palette: true,
    menu: 'file',
    run: (app) => app.getState().openSettings(),
  },
  {
    id: 'app.toggleTheme',
    label: 'Toggle theme',
    keywords: (state) => ['dark', 'light', 'appearance', state.theme],
    palette: true,
    menu: 'view',
    run: (app) => app.getState().toggleTheme(),
  },
  ...(['system', 'light', 'dark'] as const).map(
    (theme): Command => ({
      id: `app.theme.${theme}`,
      label: (state) => `${THEME_LABELS[theme]} theme${state.theme === theme ? ' (current)' : ''}`,
      keywords: ['theme', 'appearance', 'colour', 'color', 'mode'],
      palette: true,
      run: (app) => app.getState().setTheme(theme),
    }),
  ),
  {
    id: 'view.usage',
    label: 'Usage dashboard',
    keywords: ['tokens', 'cost', 'charts'],
    palette: true,
    menu: 'view',
    run: (app) => openView(app, 'usage'),
  },
  {
    id: 'chat.find',
    label: 'Find in chat',
    keywords: (state) => ['search', displayTitle(activeSession(state))],
    keys: [mod('f')],
    palette: true,
    menu: 'edit',
    when: activeSupportsFind,
    run: (app) => {
      const sessionId = activeChatId(app.getState());
      if (sessionId) app.getState().openFind(sessionId);
    },
  },
  {
    id: 'chat.pin',
    label: (state) => (activeSession(state)?.pinned ? 'Unpin chat' : 'Pin chat'),
    keywords: (state) => [displayTitle(activeSession(state))],
    palette: true,
    when: (state) => activeSession(state) !== undefined,
    run: (app) => {
      const session = activeSession(app.getState());
      if (session) void app.getState().setSessionPinned(session.id, !session.pinned);
    },
  },
  {
    id: 'chat.archive',
    label: (state) => (activeSession(state)?.status === 'archived' ? 'Unarchive chat' : 'Archive chat'),
    keywords: (state) => [displayTitle(activeSession(state))],
    palette: true,
    when: (state) => activeSession(state) !== undefined,
    run: (app) => {
      const session = activeSession(app.getState());
      if (session) void app.getState().setSessionArchived(session.id, session.status !== 'archived');
    },
  },
  exportChatMarkdownCommand,
  shareChatCommand,
  {
    id: 'sidebar.toggle',
    label: (state) => (state.sidebarCollapsed ? 'Show sidebar' : 'Hide sidebar'),
    keywords: ['sidebar', 'collapse', 'expand', 'chats', 'panel'],
    keys: [mod('b')],
    palette: true,
    run: (app) => app.getState().toggleSidebar(),
  },
  {
    id: 'palette.toggle',
    label: 'Search chats and commands',
    keys: [mod('k')],
    menu: 'edit',
    run: (app) => app.getState().togglePalette(),
  },
  { id: 'tab.close', label: 'Close tab', keys: [mod('w')], menu: 'file', run: (app) => closeTab(app) },
  {
    id: 'tab.reopen',
    label: 'Reopen closed tab',
    keys: [mod('t', true)],
    menu: 'file',
    run: (app) => reopenClosedTab(app),
  },
  {
    id: 'tab.next',
    label: 'Next tab',
    keys: [ctrl('Tab'), ctrl('PageDown')],
    menu: 'window',
    run: (app) => app.getState().cycleItem(1),
  },
  {
    id: 'tab.previous',
    label: 'Previous tab',
    keys: [ctrl('Tab', true), ctrl('PageUp')],
    menu: 'window',
    run: (app) => app.getState().cycleItem(-1),
  },
  // Chrome's and Firefox's keys for moving a tab; they work with a keyboard where dragging cannot.
  {
    id: 'tab.moveRight',
    label: 'Move tab right',
    keys: [ctrl('PageDown', true)],
    menu: 'window',
    run: (app) => app.getState().shiftActiveItem(1),
  },
  {
    id: 'tab.moveLeft',
    label: 'Move tab left',
    keys: [ctrl('PageUp', true)],
    menu: 'window',
    run: (app) => app.getState().shiftActiveItem(-1),
  },
  ...[1, 2, 3, 4, 5, 6, 7, 8].map(goToTab),
  {
    id: 'tab.goToLast',
    label: 'Go to last tab',
    keys: [mod('9')],
    run: (app) => app.getState().activateItemAt(-1),
  },
];

const BY_ID = new Map(COMMANDS.map((command) => [command.id, command]));

export function commandById(id: string): Command {
  const command = BY_ID.get(id);
  if (!command) throw new Error(`No command "${id}" in the registry.`);
  return command;
}

export function isAvailable(command: Command, state: AppState): boolean {
  return command.when?.(state) ?? true;
}

/** Runs a command by id if it applies now (a menu click, a button). Resolves to whether it ran. */
export function runCommand(app: AppStore, id: string): boolean {
  const command = commandById(id);
  if (!isAvailable(command, app.getState())) return false;
  command.run(app);
  return true;
}

export function labelOf(command: Command, state: AppState): string {
  return typeof command.label === 'function' ? command.label(state) : command.label;
}

export function keywordsOf(command: Command, state: AppState): readonly string[] {
  return typeof command.keywords === 'function' ? command.keywords(state) : (command.keywords ?? []);
}
