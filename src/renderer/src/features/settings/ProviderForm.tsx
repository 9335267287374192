import { useId, useState, type FormEvent } from 'react';
import type { ProviderConfig, ProviderPresetName } from '@shared/types';
import { useAppStore } from '../../app/context';

interface ProviderFormProps {
  /** Editing this provider; absent to add a new one. */
  provider?: ProviderConfig;
  onDone: () => void;
}

/**
 * Adds a provider from a preset, or edits one. The API key is write-only: it is typed here,
 * sent once, and cleared; afterwards the UI only knows whether a key is set.
 */
export function ProviderForm({ provider, onDone }: ProviderFormProps) {
  const presets = useAppStore((s) => s.presets);
  const createProvider = useAppStore((s) => s.createProvider);
  const updateProvider = useAppStore((s) => s.updateProvider);
  const modelListing = useAppStore((s) => (provider ? s.providerModels[provider.id] : undefined));
  const editing = provider !== undefined;
  const [preset, setPreset] = useState<ProviderPresetName>(provider?.preset ?? 'openai');
  const info = presets.find((p) => p.preset === preset);
  const [name, setName] = useState(provider?.name ?? '');
  const [baseUrl, setBaseUrl] = useState(provider?.baseUrl ?? info?.baseUrl ?? '');
  const [apiKey, setApiKey] = useState('');
  const [removeKey, setRemoveKey] = useState(false);
  const [defaultModel, setDefaultModel] = useState(provider?.defaultModel ?? '');
  const [saving, setSaving] = useState(false);
  const ids = { preset: useId(), name: useId(), url: useId(), key: useId(), model: useId(), models: useId() };

  const choosePreset = (next: ProviderPresetName) => {
    const before = presets.find((p) => p.preset === preset);
    const after = presets.find((p) => p.preset === next);
    setPreset(next);
    // Follow the preset's address unless the user typed their own.
    if (!baseUrl || baseUrl === before?.baseUrl) setBaseUrl(after?.baseUrl ?? '');
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const key = apiKey.trim();
    // The key leaves the page's state as it is sent; if saving fails it is typed again.
    setApiKey('');
    const model = defaultModel.trim();
    const result = editing
      ? await updateProvider({
          id: provider.id,
          name: name.trim() || undefined,
          baseUrl: baseUrl.trim() || undefined,
          apiKey: key ? key : removeKey ? null : undefined,
          defaultModel: model || null,
        })
      : await createProvider({
          preset,
          name: name.trim() || undefined,
          baseUrl: baseUrl.trim() || undefined,
          apiKey: key || undefined,
          defaultModel: model || null,
        });
    setSaving(false);
    if (result) onDone();
  };

  const needsKey = info?.needsKey ?? false;
  const keyPlaceholder =
    editing && provider.hasApiKey ? 'Key set. Type a new one to replace it' : needsKey ? 'Required' : 'Optional';
  const suggestions = modelListing?.data?.models ?? provider?.models ?? [];

  return (
    <form
      className="provider-form"
      aria-label={editing ? `Edit ${provider.name}` : 'Add a provider'}
      onSubmit={(e) => void submit(e)}
    >
      {!editing && (
        <div className="field">
          <label htmlFor={ids.preset}>Type</label>
          <select
            id={ids.preset}
            className="select"
            value={preset}
            onChange={(event) => choosePreset(event.target.value as ProviderPresetName)}
          >
            {presets.map((p) => (
              <option key={p.preset} value={p.preset}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input
          id={ids.name}
          className="input"
          value={name}
          placeholder={info?.label ?? ''}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.url}>Base URL</label>
        <input
          id={ids.url}
          className="input"
          type="url"
          inputMode="url"
          spellCheck={false}
          value={baseUrl}
          placeholder="http://localhost:8080/v1"
          required={preset === 'custom'}
          onChange={(event) => setBaseUrl(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.key}>API key</label>
        <input
          id={ids.key}
          className="input"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={apiKey}
          placeholder={keyPlaceholder}
          // "Required" is enforced: a cloud provider without a key would fail every request.
          required={needsKey && !(editing && provider.hasApiKey)}
          aria-required={needsKey}
          onChange={(event) => setApiKey(event.target.value)}
        />
        {editing && provider.hasApiKey && !needsKey && (
          <label className="checkbox">
            <input type="checkbox" checked={removeKey} onChange={(event) => setRemoveKey(event.target.checked)} />
            Remove the saved key
          </label>
        )}
      </div>
      <div className="field">
        <label htmlFor={ids.model}>Default model</label>
        <input
          id={ids.model}
          className="input"
          list={suggestions.length > 0 ? ids.models : undefined}
          spellCheck={false}
          value={defaultModel}
          placeholder="e.g. gpt-4o-mini, llama3.2"
          onChange={(event) => setDefaultModel(event.target.value)}
        />
        {suggestions.length > 0 && (
          <datalist id={ids.models}>
            {suggestions.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        )}
      </div>
      <div className="provider-form__actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={saving}>
          {editing ? 'Save provider' : 'Add provider'}
        </button>
      </div>
    </form>
  );
}
