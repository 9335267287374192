import { CommandButton } from '../../app/commands/CommandButton';

export function NewChatButton() {
  return (
    <CommandButton command="chat.new" className="button button--primary new-chat" ariaLabel="New chat">
      <span aria-hidden="true">+</span>
      <span aria-hidden="true" className="new-chat__label">
        New chat
      </span>
    </CommandButton>
  );
}
