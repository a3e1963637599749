/**
 * The embedded data folder holds entity data, KV values, execution records and the
 * master key: it is made readable by its owner only (folder 0700, files 0600).
 */
import fs from 'node:fs';

/** Mode of the data folder when Hookyard creates it. */
export const FOLDER_MODE = 0o700;
/** Mode of every file Hookyard keeps in the data folder. */
export const FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) with mode 0700. A folder that exists is left as
 * it is: an operator who made it chose its mode.
 */
export function ensurePrivateFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
}

/**
 * Makes `file` exist with mode 0600 before anything writes to it (so there is no moment
 * at which it is readable by others), and narrows an existing file's mode to 0600.
 */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', FILE_MODE));
  fs.chmodSync(file, FILE_MODE);
}

/** Narrows the mode of each of `files` that exists to 0600. */
export function narrowExisting(files: readonly string[]): void {
  for (const file of files) {
    try {
      fs.chmodSync(file, FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
