/** Saves text as a file through the browser's download (the web host has no save dialog). */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  // A byte-order mark so that Excel reads the file as UTF-8 (model names may not be ASCII).
  downloadBlob(filename, new Blob(['\uFEFF', text], { type }));
}

/** Any file through the browser's download: the one way the web host gives the user a file. */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled, not before the download starts.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
