import { required, type Invoke } from './api.js';

/**
 * The agent's canvas: the files the harness serves on port 80 and the room shows as the agent's tab. Paths are
 * relative to the canvas root with `/` separators; the harness refuses absolute paths, `..`, `\` and a first segment
 * starting with `_` ({@link ErrorCodes.CanvasError}, field `path`). Writes are atomic and create parent directories.
 * Call {@link bumpVersion} after a change so open browsers reload.
 */
export interface AgentCanvas {
  /** Writes a file, replacing it when it exists: a string as UTF-8 text, bytes as they are. Bytes travel
   * base64-encoded in one protocol line of at most 4 MiB, so a binary file must stay under about 3 MiB (larger ones:
   * write them into {@link AgentIdentity.canvasDirectory} directly, then {@link bumpVersion}). */
  write(path: string, content: string | Uint8Array): Promise<void>;
  /** Reads a file: a string when it is valid UTF-8, else a Buffer. Rejects with {@link ErrorCodes.CanvasError} when
   * it does not exist. */
  read(path: string): Promise<string | Buffer>;
  /** Reads a file as text (invalid UTF-8 becomes U+FFFD). */
  readText(path: string): Promise<string>;
  /** Reads a file's bytes, whether it is text or not. */
  readBytes(path: string): Promise<Buffer>;
  /** Deletes a file; resolves false when it did not exist. */
  delete(path: string): Promise<boolean>;
  /** Tells open browsers the canvas changed (pages polling `_canvas/version` or listening on `_canvas/events`
   * reload); resolves with the new version. */
  bumpVersion(): Promise<number>;
}

interface ReadResult {
  readonly path: string;
  readonly text?: string;
  readonly base64?: string;
}

export function createCanvas(invoke: Invoke): AgentCanvas {
  const read = async (path: string): Promise<string | Buffer> => {
    const file = await invoke<ReadResult>('canvas.read', { path: required('path', path) });
    return typeof file.text === 'string' ? file.text : Buffer.from(file.base64 ?? '', 'base64');
  };

  return {
    write: async (path, content) => {
      required('path', path);
      if (typeof content === 'string') {
        await invoke('canvas.write', { path, text: content });
      } else if (content instanceof Uint8Array) {
        await invoke('canvas.write', { path, base64: Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('base64') });
      } else {
        throw new TypeError('canvas.write needs a string or bytes (a Buffer or Uint8Array).');
      }
    },
    read,
    readText: async (path) => {
      const file = await read(path);
      return typeof file === 'string' ? file : file.toString('utf8');
    },
    readBytes: async (path) => {
      const file = await read(path);
      return typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
    },
    delete: async (path) => (await invoke<{ deleted: boolean }>('canvas.delete', { path: required('path', path) })).deleted,
    bumpVersion: async () => (await invoke<{ version: number }>('canvas.bumpVersion', {})).version,
  };
}
