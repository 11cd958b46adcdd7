import { execFileSync } from 'node:child_process';

/**
 * The filesystem a directory lives on (ext4, tmpfs, overlay, btrfs…), from `df -T`; fsync costs differ by an
 * order of magnitude between them, so a journal figure means little without it.
 */
export function filesystemOf(dir: string): string {
  try {
    const out = execFileSync('df', ['-T', '-P', dir], { encoding: 'utf8' });
    const row = out.trim().split('\n').at(-1)?.split(/\s+/) ?? [];
    // Filesystem Type 1024-blocks Used Available Capacity Mounted-on
    return `${row[1] ?? '?'} (device ${row[0] ?? '?'}, mounted on ${row[6] ?? '?'})`;
  } catch {
    return 'unknown (df -T failed)';
  }
}
