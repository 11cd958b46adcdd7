/**
 * Saves text as a file through a download link: the web host's page has no other way to write a file (the
 * Electron shell saves exported reports through its own dialog instead, docs/desktop.md).
 */
export function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 1_000);
}
