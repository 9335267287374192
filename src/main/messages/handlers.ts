/** messages.*: reading branches, jumping, deleting with Undo. Views never write messages directly. */
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';

export function messagesHandlers(db: DbClient): HandlerSlice<'messages'> {
  return {
    'messages.listBranch': (i) => db.call('messages.listBranch', i),
    'messages.path': (i) => db.call('messages.path', i),
    'messages.siblings': (i) => db.call('messages.siblings', i),
    'messages.delete': (i) => db.call('messages.delete', i),
    'messages.restore': (i) => db.call('messages.restore', i),
    'messages.locate': (i) => db.call('messages.locate', i),
    'messages.listNewer': (i) => db.call('messages.listNewer', i),
  };
}
