import { useId, useRef, useState, type FocusEvent, type FormEvent, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ProviderConfig } from '@shared/types';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { defaultModelLabel, modelsFor, providersOf } from '../settings/store';
import { Icon } from '../../ui/Icon';
import { SessionUsagePanel } from '../usage/SessionUsagePanel';
import { ChatToolsButton } from '../tools/ChatToolsButton';
import { savePromptDraft } from './actions';

/** Model and system prompt of one chat. */
export function ChatToolbar({ sessionId }: { sessionId: string }) {
  const [promptOpen, setPromptOpen] = useState(false);
  const [infoOpen, setInfoOpen] = useState(false);
  const infoId = useId();
  const hasPrompt = useAppStore((s) => (s.sessionsById[sessionId]?.systemPrompt ?? '').trim() !== '');
  const panelId = useId();
  return (
    <div className="chat-toolbar">
      <div className="chat-toolbar__row">
        <ModelPicker sessionId={sessionId} />
        <button
          type="button"
          className={`button chat-toolbar__prompt${hasPrompt ? ' chat-toolbar__prompt--set' : ''}`}
          aria-expanded={promptOpen}
          aria-controls={promptOpen ? panelId : undefined}
          onClick={() => setPromptOpen((open) => !open)}
        >
          {hasPrompt ? 'System prompt (set)' : 'Add system prompt'}
        </button>
        <ChatToolsButton sessionId={sessionId} />
        <button
          type="button"
          className="icon-button chat-toolbar__info"
          aria-label="Chat usage"
          title="Tokens, cost and models of this chat"
          aria-expanded={infoOpen}
          aria-controls={infoOpen ? infoId : undefined}
          onClick={() => setInfoOpen((open) => !open)}
        >
          <Icon name="info" />
        </button>
      </div>
      {promptOpen && <SystemPromptEditor id={panelId} sessionId={sessionId} onClose={() => setPromptOpen(false)} />}
      {infoOpen && (
        <div id={infoId} className="chat-toolbar__panel">
          <SessionUsagePanel sessionId={sessionId} />
        </div>
      )}
    </div>
  );
}

const DEFAULT_VALUE = '';
const OTHER_PREFIX = 'other:';
const encode = (providerId: string, model: string) => JSON.stringify([providerId, model]);

function decode(value: string): { providerId: string; model: string } | null {
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { providerId: parsed[0], model: parsed[1] };
    }
  } catch {
    // Not a model option.
  }
  return null;
}

/**
 * One select for provider and model (grouped by provider), with "Other model…" per provider for
 * names the server does not list. Choosing "Default" follows the app's default provider.
 */
export function ModelPicker({ sessionId }: { sessionId: string }) {
  const store = useAppStoreApi();
  const session = useAppStore((s) => s.sessionsById[sessionId]);
  const providers = useAppStore(useShallow((s) => providersOf(s).filter((p) => p.enabled)));
  const defaultLabel = useAppStore((s) => defaultModelLabel(s));
  const modelLists = useAppStore(
    useShallow((s) => Object.fromEntries(providersOf(s).map((p) => [p.id, modelsFor(s, p).join('\n')]))),
  );
  const updateSession = useAppStore((s) => s.updateSession);
  const [otherFor, setOtherFor] = useState<string | null>(null);

  const current = session?.providerId ? encode(session.providerId, session.model ?? '') : DEFAULT_VALUE;

  // Ask each server for its models when the picker is about to be used, once per app run.
  const refreshModels = () => {
    const state = store.getState();
    for (const p of providers) if (!state.providerModels[p.id]) void state.fetchModels(p.id);
  };

  const onChange = (value: string) => {
    if (value.startsWith(OTHER_PREFIX)) {
      setOtherFor(value.slice(OTHER_PREFIX.length));
      return;
    }
    setOtherFor(null);
    if (value === DEFAULT_VALUE) void updateSession(sessionId, { providerId: null, model: null });
    else {
      const chosen = decode(value);
      if (chosen) void updateSession(sessionId, { providerId: chosen.providerId, model: chosen.model || null });
    }
  };

  if (providers.length === 0) {
    return (
      <select className="select model-picker" aria-label="Model" disabled value="">
        <option value="">No providers set up</option>
      </select>
    );
  }

  return (
    <>
      <select
        className="select model-picker"
        aria-label="Model"
        value={otherFor ? OTHER_PREFIX + otherFor : current}
        onFocus={refreshModels}
        onMouseDown={refreshModels}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value={DEFAULT_VALUE}>{defaultLabel}</option>
        {session?.providerId && !providers.some((p) => p.id === session.providerId) && (
          // The chat names a provider that was deleted or turned off: say so instead of showing "Default".
          <option value={current}>{`${session.model ?? 'Its model'} (provider removed or turned off)`}</option>
        )}
        {providers.map((p) => {
          const models = (modelLists[p.id] ?? '').split('\n').filter(Boolean);
          const own = session?.providerId === p.id ? (session.model ?? '') : null;
          return (
            <optgroup key={p.id} label={p.name}>
              {own === '' && <option value={encode(p.id, '')}>{`${p.name} · its default model`}</option>}
              {own && !models.includes(own) && <option value={encode(p.id, own)}>{`${p.name} · ${own}`}</option>}
              {models.map((m) => (
                <option key={m} value={encode(p.id, m)}>{`${p.name} · ${m}`}</option>
              ))}
              <option value={OTHER_PREFIX + p.id}>{`${p.name} · other model…`}</option>
            </optgroup>
          );
        })}
      </select>
      {otherFor && (
        <ManualModel
          provider={providers.find((p) => p.id === otherFor)}
          onCancel={() => setOtherFor(null)}
          onSave={async (model) => {
            if (await updateSession(sessionId, { providerId: otherFor, model })) setOtherFor(null);
          }}
        />
      )}
    </>
  );
}

function ManualModel({
  provider,
  onSave,
  onCancel,
}: {
  provider: ProviderConfig | undefined;
  onSave: (model: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim()) void onSave(name.trim());
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    onCancel();
  };
  return (
    <form className="manual-model" onSubmit={submit} onKeyDown={onKeyDown}>
      <input
        className="input"
        aria-label={`Model name for ${provider?.name ?? 'this provider'}`}
        placeholder="Model name, e.g. llama3.2"
        value={name}
        autoFocus
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" className="button button--primary" disabled={!name.trim()}>
        Use model
      </button>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

/**
 * The chat's system prompt, saved with sessions.update. What is typed is kept in the chat slice
 * until saved, and saved on blur or when a message is sent (savePromptDraft): what the user sees
 * above the conversation is what the model gets. Cancel and Esc drop the change.
 */
function SystemPromptEditor({ id, sessionId, onClose }: { id: string; sessionId: string; onClose: () => void }) {
  const app = useAppStoreApi();
  const saved = useAppStore((s) => s.sessionsById[sessionId]?.systemPrompt ?? '');
  const typed = useAppStore((s) => s.promptDrafts[sessionId]);
  const setPromptDraft = useAppStore((s) => s.setPromptDraft);
  const text = typed ?? saved;
  const [saving, setSaving] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const ok = await savePromptDraft(app, sessionId);
    setSaving(false);
    if (ok) onClose();
  };
  const cancel = () => {
    setPromptDraft(sessionId, null);
    onClose();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    cancel();
  };
  const onBlur = (event: FocusEvent<HTMLTextAreaElement>) => {
    // Leaving for Cancel must not save what Cancel is about to drop.
    if (event.relatedTarget !== null && event.relatedTarget === cancelRef.current) return;
    void savePromptDraft(app, sessionId);
  };

  return (
    <form id={id} className="system-prompt" onSubmit={(event) => void save(event)} onKeyDown={onKeyDown}>
      <textarea
        className="system-prompt__input"
        aria-label="System prompt"
        placeholder="Instructions the model follows in this chat, e.g. “Answer briefly, in French.”"
        value={text}
        autoFocus
        onChange={(event) => setPromptDraft(sessionId, event.target.value)}
        onBlur={onBlur}
      />
      <div className="system-prompt__actions">
        <button ref={cancelRef} type="button" className="button" onClick={cancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button--primary"
          aria-label="Save system prompt"
          disabled={saving || text === saved}
        >
          Save
        </button>
      </div>
    </form>
  );
}
