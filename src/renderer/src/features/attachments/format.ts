/** Sizes and labels for file chips. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

const LABELS: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/json': 'JSON',
  'text/csv': 'CSV',
  'text/markdown': 'Markdown',
  'text/x-code': 'Code',
  'text/plain': 'Text',
  'text/html': 'HTML (shown as text)',
  'image/svg+xml': 'SVG (shown as text)',
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
};

export const typeLabel = (mediaType: string): string => LABELS[mediaType] ?? mediaType;
