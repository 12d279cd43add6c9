import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDir } from './file-journal';

/**
 * Replaces a file's content durably: writes a temporary file beside it, syncs it, renames it into
 * place and syncs the folder, so a crash leaves either the old content or the new, never a mix.
 */
export async function writeFileAtomically(file: string, data: Uint8Array | string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const handle = await fs.promises.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
  syncDir(path.dirname(file));
}
