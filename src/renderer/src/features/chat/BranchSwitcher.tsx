import type { BranchMessage } from '@shared/types';
import { useAppStoreApi } from '../../app/context';
import { switchBranch } from './actions';
import { ReplyModel } from './ReplyModel';

/**
 * ‹ 2/3 › on a message that has siblings: other answers to the same question, or other edits. For
 * a reply it names the model that wrote the version shown.
 */
export function BranchSwitcher({ message }: { message: BranchMessage }) {
  const app = useAppStoreApi();
  if (message.siblingCount < 2) return null;
  const position = message.siblingIndex + 1;
  return (
    <div className="branch-switcher" role="group" aria-label={`Version ${position} of ${message.siblingCount}`}>
      <button
        type="button"
        className="icon-button"
        aria-label="Previous branch"
        disabled={message.siblingIndex === 0}
        onClick={() => void switchBranch(app, message.sessionId, message.id, -1)}
      >
        <span aria-hidden="true">‹</span>
      </button>
      <span className="branch-switcher__position">
        {position}/{message.siblingCount}
      </span>
      <button
        type="button"
        className="icon-button"
        aria-label="Next branch"
        disabled={position >= message.siblingCount}
        onClick={() => void switchBranch(app, message.sessionId, message.id, 1)}
      >
        <span aria-hidden="true">›</span>
      </button>
      <ReplyModel message={message} />
    </div>
  );
}
