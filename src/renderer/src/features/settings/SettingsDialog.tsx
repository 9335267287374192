import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { DetectedProvider, ProviderConfig } from '@shared/types';
import { useAppStore } from '../../app/context';
import type { ThemeChoice } from '../theme/store';
import { providersOf } from './store';
import { ProviderForm } from './ProviderForm';
import { PricesSection } from './PricesSection';
import { UsageSettingsSection } from './UsageSettingsSection';
import { DataSection } from '../data/DataSection';
import { ToolsSettings } from '../tools/ToolsSettings';
import { SyncSettingsSection } from '../sync/SyncSettingsSection';

const FOCUSABLE =
  'button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** Providers and chat settings, in a modal dialog. Esc closes it and focus returns where it was. */
export function SettingsDialog() {
  const open = useAppStore((s) => s.settingsOpen);
  if (!open) return null;
  return <SettingsDialogBody />;
}

function SettingsDialogBody() {
  const closeSettings = useAppStore((s) => s.closeSettings);
  const loadProviders = useAppStore((s) => s.loadProviders);
  const detectLocalProviders = useAppStore((s) => s.detectLocalProviders);
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialogRef.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    void loadProviders();
    void detectLocalProviders();
    return () => returnTo?.focus();
  }, [loadProviders, detectLocalProviders]);

  // Esc is heard on the window, not only inside the dialog: when the control that had focus goes
  // away (the form after Add or Save provider), focus falls to <body> and a key handler on the
  // dialog would never see the key. Captured first, so nothing behind the modal acts on it.
  useEffect(() => {
    const onEscape = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || event.isComposing) return;
      event.preventDefault();
      event.stopPropagation();
      closeSettings();
    };
    window.addEventListener('keydown', onEscape, { capture: true });
    return () => window.removeEventListener('keydown', onEscape, { capture: true });
  }, [closeSettings]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Tab') return;
    // Keep Tab inside the dialog while it is open.
    const focusable = [...(dialogRef.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
    const first = focusable[0];
    const last = focusable.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div
      className="modal-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) closeSettings();
      }}
    >
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby="settings-title"
        className="modal settings"
        onKeyDown={onKeyDown}
      >
        <header className="modal__header">
          <h2 id="settings-title">Settings</h2>
          <button type="button" className="icon-button" aria-label="Close settings" onClick={closeSettings}>
            <span aria-hidden="true">×</span>
          </button>
        </header>
        <div className="modal__body">
          <ProvidersSection />
          <AppearanceSection />
          <ChatSection />
          <ToolsSettings />
          <UsageSettingsSection />
          <PricesSection />
          <SyncSettingsSection />
          <DataSection />
        </div>
      </div>
    </div>
  );
}

function ProvidersSection() {
  const providers = useAppStore(providersOf);
  const status = useAppStore((s) => s.providers.status);
  const opensOnForm = useAppStore((s) => s.settingsAddsProvider);
  const [adding, setAdding] = useState(opensOnForm);
  const addButton = useRef<HTMLButtonElement>(null);
  // The form that had focus is gone once it is done; focus goes back to the button that opened it
  // (Tab and Esc keep working inside the dialog).
  const refocusAdd = useRef(false);
  useEffect(() => {
    if (adding || !refocusAdd.current) return;
    refocusAdd.current = false;
    addButton.current?.focus();
  }, [adding]);
  return (
    <section className="settings__section" aria-labelledby="providers-title">
      <h3 id="providers-title">Model providers</h3>
      {status === 'ready' && providers.length === 0 && (
        <p className="muted">No provider yet. Add a cloud service with its API key, or a server on this computer.</p>
      )}
      <ul className="provider-list">
        {providers.map((p) => (
          <ProviderItem key={p.id} provider={p} />
        ))}
      </ul>
      <DetectedServers />
      <DefaultOffer />
      {adding ? (
        <ProviderForm
          onDone={() => {
            refocusAdd.current = true;
            setAdding(false);
          }}
        />
      ) : (
        <button ref={addButton} type="button" className="button button--primary" onClick={() => setAdding(true)}>
          Add a provider
        </button>
      )}
    </section>
  );
}

function ProviderItem({ provider }: { provider: ProviderConfig }) {
  const presets = useAppStore((s) => s.presets);
  const isDefault = useAppStore((s) => s.chatSettings.data?.defaultProviderId === provider.id);
  const listing = useAppStore((s) => s.providerModels[provider.id]);
  const fetchModels = useAppStore((s) => s.fetchModels);
  const deleteProvider = useAppStore((s) => s.deleteProvider);
  const setChatSettings = useAppStore((s) => s.setChatSettings);
  const updateProvider = useAppStore((s) => s.updateProvider);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const refocusEdit = useRef(false);
  useEffect(() => {
    if (editing || !refocusEdit.current) return;
    refocusEdit.current = false;
    editButton.current?.focus();
  }, [editing]);
  const presetLabel = presets.find((p) => p.preset === provider.preset)?.label ?? provider.preset;

  if (editing) {
    return (
      <li className="provider-item" data-testid="provider-item">
        <ProviderForm
          provider={provider}
          onDone={() => {
            refocusEdit.current = true;
            setEditing(false);
          }}
        />
      </li>
    );
  }

  return (
    <li className="provider-item" data-testid="provider-item" aria-label={provider.name}>
      <div className="provider-item__head">
        <strong className="provider-item__name">{provider.name}</strong>
        {isDefault && <span className="badge">Default</span>}
        {!provider.enabled && <span className="badge badge--muted">Off</span>}
      </div>
      <dl className="provider-item__facts">
        <dt>Type</dt>
        <dd>{presetLabel}</dd>
        <dt>Address</dt>
        <dd className="provider-item__url">{provider.baseUrl}</dd>
        <dt>API key</dt>
        <dd>{provider.hasApiKey ? 'Key set' : 'No key'}</dd>
        <dt>Default model</dt>
        <dd>{provider.defaultModel ?? 'None'}</dd>
      </dl>
      {listing && <ModelListingView provider={provider} />}
      <div className="provider-item__actions">
        <button
          type="button"
          className="button"
          disabled={listing?.status === 'loading'}
          onClick={() => void fetchModels(provider.id)}
        >
          {listing?.status === 'loading' ? 'Testing…' : 'Test and fetch models'}
        </button>
        {!isDefault && (
          <button
            type="button"
            className="button"
            onClick={() => void setChatSettings({ defaultProviderId: provider.id, defaultModel: null })}
          >
            Use by default
          </button>
        )}
        <button
          type="button"
          className="button"
          onClick={() => void updateProvider({ id: provider.id, enabled: !provider.enabled })}
        >
          {provider.enabled ? 'Turn off' : 'Turn on'}
        </button>
        <button
          ref={editButton}
          type="button"
          className="button"
          aria-label={`Edit ${provider.name}`}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
        {confirmDelete ? (
          <>
            <button type="button" className="button button--danger" onClick={() => void deleteProvider(provider.id)}>
              Delete {provider.name}
            </button>
            <button type="button" className="button" onClick={() => setConfirmDelete(false)}>
              Keep
            </button>
          </>
        ) : (
          <button
            type="button"
            className="button"
            aria-label={`Delete ${provider.name}`}
            onClick={() => setConfirmDelete(true)}
          >
            Delete
          </button>
        )}
      </div>
    </li>
  );
}

function ModelListingView({ provider }: { provider: ProviderConfig }) {
  const entry = useAppStore((s) => s.providerModels[provider.id]);
  const updateProvider = useAppStore((s) => s.updateProvider);
  const listing = entry?.status === 'ready' ? entry.data : null;
  if (!listing) return null;
  return (
    <div className="model-listing" role="status">
      {listing.error ? (
        <p className="model-listing__error">{listing.error}</p>
      ) : (
        <p className="model-listing__ok">
          Connected. {listing.models.length} {listing.models.length === 1 ? 'model' : 'models'} available.
        </p>
      )}
      {listing.models.length > 0 && (
        <ul className="model-listing__models" aria-label={`Models of ${provider.name}`}>
          {listing.models.map((m) => (
            <li key={m}>
              <span>{m}</span>
              {m === provider.defaultModel ? (
                <span className="badge">Default</span>
              ) : (
                <button
                  type="button"
                  className="button button--link"
                  aria-label={`Make ${m} the default model`}
                  onClick={() => void updateProvider({ id: provider.id, defaultModel: m })}
                >
                  Make default
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** "<name> works. Use it for new chats?" after a working provider is added next to a default. */
function DefaultOffer() {
  const offered = useAppStore((s) => providersOf(s).find((p) => p.id === s.defaultOffer));
  const dismiss = useAppStore((s) => s.dismissDefaultOffer);
  const setChatSettings = useAppStore((s) => s.setChatSettings);
  if (!offered) return null;
  return (
    <div className="default-offer" role="status">
      <p>
        {offered.name} works{offered.defaultModel ? ` (${offered.defaultModel})` : ''}. Use it for new chats?
      </p>
      <button
        type="button"
        className="button button--primary"
        onClick={() => {
          dismiss();
          void setChatSettings({ defaultProviderId: offered.id, defaultModel: null });
        }}
      >
        Use {offered.name} by default
      </button>
      <button type="button" className="button" onClick={dismiss}>
        Not now
      </button>
    </div>
  );
}

/** Local servers found running that are not set up yet, each one click away. */
function DetectedServers() {
  const detected = useAppStore((s) => s.detected);
  const providers = useAppStore(providersOf);
  const presets = useAppStore((s) => s.presets);
  const createProvider = useAppStore((s) => s.createProvider);
  const [adding, setAdding] = useState<string | null>(null);
  const configured = new Set(providers.map((p) => p.baseUrl.replace(/\/+$/, '')));
  const fresh = (detected.data ?? []).filter((d) => !configured.has(d.baseUrl.replace(/\/+$/, '')));
  if (detected.status === 'loading') return <p className="muted">Looking for model servers on this computer…</p>;
  if (fresh.length === 0) return null;

  const add = async (d: DetectedProvider) => {
    setAdding(d.baseUrl);
    await createProvider({ preset: d.preset, baseUrl: d.baseUrl, defaultModel: d.models[0] ?? null, models: d.models });
    setAdding(null);
  };

  return (
    <div className="detected">
      <h4>Found on this computer</h4>
      <ul>
        {fresh.map((d) => {
          const label = presets.find((p) => p.preset === d.preset)?.label ?? d.preset;
          return (
            <li key={d.baseUrl}>
              <span>
                {label} at {d.baseUrl}
                {d.models.length > 0 && ` (${d.models.length} ${d.models.length === 1 ? 'model' : 'models'})`}
              </span>
              <button
                type="button"
                className="button"
                disabled={adding !== null}
                aria-label={`Add ${label} at ${d.baseUrl}`}
                onClick={() => void add(d)}
              >
                Add
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

const THEME_OPTIONS: { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System (follows the computer)' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

function AppearanceSection() {
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);
  return (
    <section className="settings__section" aria-labelledby="appearance-title">
      <h3 id="appearance-title">Appearance</h3>
      <div role="radiogroup" aria-labelledby="appearance-title" className="settings__choices">
        {THEME_OPTIONS.map((option) => (
          <label key={option.value} className="checkbox">
            <input
              type="radio"
              name="theme"
              value={option.value}
              checked={theme === option.value}
              onChange={() => setTheme(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
    </section>
  );
}

function ChatSection() {
  const settings = useAppStore((s) => s.chatSettings.data);
  const setChatSettings = useAppStore((s) => s.setChatSettings);
  return (
    <section className="settings__section" aria-labelledby="chat-settings-title">
      <h3 id="chat-settings-title">Chats</h3>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings?.autoTitle ?? true}
          disabled={!settings}
          onChange={(event) => void setChatSettings({ autoTitle: event.target.checked })}
        />
        Name new chats automatically (asks the model for a short title)
      </label>
    </section>
  );
}
