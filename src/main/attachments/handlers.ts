/** attachments.*: uploads in chunks, the files of messages, their bytes and text, and search. */
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';
import type { AttachmentService } from './service';

export function attachmentsHandlers(db: DbClient, attachments: AttachmentService): HandlerSlice<'attachments'> {
  return {
    'attachments.uploadBegin': (i) => attachments.begin(i),
    'attachments.uploadChunk': (i) => attachments.chunk(i),
    'attachments.uploadFinish': (i) => attachments.finish(i.uploadId),
    'attachments.uploadCancel': (i) => attachments.cancel(i.uploadId),
    'attachments.remove': (i) => db.call('attachments.remove', i),
    'attachments.get': (i) => db.call('attachments.get', i),
    'attachments.list': (i) => db.call('attachments.list', i),
    'attachments.read': (i) => attachments.read(i),
    'attachments.text': (i) => db.call('attachments.text', i),
    'attachments.search': (i) => db.call('attachments.search', i),
  };
}
