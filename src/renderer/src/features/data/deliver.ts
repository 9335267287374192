/**
 * Gives the user an export the way the Usage CSV does: the host's save dialog where there is one
 * (Electron), else the file's bytes as a browser download (the web host).
 */
import type { ConfabApi } from '@shared/client';
import type { ExportRequest } from '@shared/contract/export';
import type { ConfabExportManifest } from '@shared/types';
import { downloadBlob } from '../usage/download';

export type ExportDelivery =
  | { kind: 'saved'; path: string; manifest?: ConfabExportManifest }
  | { kind: 'downloaded'; fileName: string; manifest?: ConfabExportManifest }
  | { kind: 'cancelled' };

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export async function deliverExport(api: ConfabApi, request: ExportRequest): Promise<ExportDelivery> {
  const saved = await api.export.save(request);
  if (saved.status === 'saved') return { kind: 'saved', path: saved.path, ...(saved.manifest ? { manifest: saved.manifest } : {}) };
  if (saved.status === 'cancelled') return { kind: 'cancelled' };
  const file = await api.export.file(request);
  downloadBlob(file.fileName, new Blob([bytesOf(file.base64)], { type: file.mimeType }));
  return { kind: 'downloaded', fileName: file.fileName, ...(file.manifest ? { manifest: file.manifest } : {}) };
}

/** The sentence shown once an export was handed over. */
export function deliveryMessage(what: string, delivery: ExportDelivery): string {
  if (delivery.kind === 'cancelled') return `${what}: cancelled, nothing was saved.`;
  return delivery.kind === 'saved' ? `${what}: saved to ${delivery.path}.` : `${what}: downloaded as ${delivery.fileName}.`;
}
