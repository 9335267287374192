import { useEffect, useState } from 'react';
import type { Attachment } from '@shared/types';
import { useAppStore } from '../../app/context';
import { AttachmentChip } from './AttachmentChip';
import { AttachmentViewer } from './AttachmentViewer';
import './attachments.css';

/** The files of a message, as chips and thumbnails; nothing at all for a message without any. */
export function MessageAttachments({ messageId }: { messageId: string }) {
  const files = useAppStore((s) => s.messageFiles[messageId]);
  const request = useAppStore((s) => s.requestMessageFiles);
  const [open, setOpen] = useState<Attachment | null>(null);
  useEffect(() => request(messageId), [messageId, request]);
  if (!files || files.length === 0) return null;
  return (
    <div className="message-attachments" data-testid="message-attachments">
      {files.map((file) => (
        <AttachmentChip key={file.id} attachment={file} onOpen={setOpen} />
      ))}
      {open && <AttachmentViewer attachment={open} onClose={() => setOpen(null)} />}
    </div>
  );
}
