// Replacing a file while keeping the version it replaces: checkpoints are written this way, so
// when the newest one is found damaged the one before it is still there to resume from. The new
// bytes are written and fsynced beside the target first; the old file is then hard-linked to the
// `previous` name (atomically, through a temporary link) and only then replaced, so at every
// moment the target holds a complete file and `previous` one complete file or none.
import { closeSync, copyFileSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFileKeepingPrevious(path: string, previous: string, data: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (existsSync(path)) {
    const link = `${previous}.tmp-${process.pid}`;
    rmSync(link, { force: true });
    try {
      linkSync(path, link);
    } catch {
      copyFileSync(path, link); // a file system without hard links
    }
    renameSync(link, previous);
  }
  renameSync(tmp, path);
}
