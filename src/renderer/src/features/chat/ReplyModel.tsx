import type { BranchMessage } from '@shared/types';
import { useAppStore } from '../../app/context';
import { providersOf } from '../settings/store';

/**
 * "small · Local": the model that wrote a reply and its provider, by the name given in Settings.
 * Beside the ‹ 2/3 › switcher it says which model wrote the version shown.
 */
export function ReplyModel({ message }: { message: BranchMessage }) {
  const providerName = useAppStore((s) =>
    message.providerId ? (providersOf(s).find((p) => p.id === message.providerId)?.name ?? null) : null,
  );
  if (message.role !== 'assistant' || !message.model) return null;
  const provider = providerName ?? (message.providerId ? 'a removed provider' : null);
  const label = provider ? `${message.model} · ${provider}` : message.model;
  return (
    <span
      className="message__model"
      data-testid="reply-model"
      title={`Written by ${message.model}${provider ? ` (${provider})` : ''}`}
    >
      {label}
    </span>
  );
}
