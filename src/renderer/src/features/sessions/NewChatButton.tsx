import { useAppStore } from '../../app/context';
import { modKeyLabel } from '../workspace/keymap';

export function NewChatButton() {
  const createSession = useAppStore((s) => s.createSession);
  return (
    <button
      type="button"
      className="button button--primary new-chat"
      aria-label="New chat"
      title={`New chat (${modKeyLabel()}+T)`}
      onClick={() => void createSession()}
    >
      <span aria-hidden="true">+</span>
      <span aria-hidden="true" className="new-chat__label">
        New chat
      </span>
    </button>
  );
}
