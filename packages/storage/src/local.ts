import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { finished } from "node:stream/promises";
import { limitedChunks } from "./limit-stream";
import {
  assertValidKey,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStorage,
  type PutOptions,
} from "./types";

/**
 * Objects as files under `root` (development and tests). Each object is written to a temporary
 * name and renamed into place, so a reader never sees half a file and a cut upload leaves nothing;
 * its content type sits beside it in `<key>.meta.json`.
 */
export function createLocalStorage(root: string): ObjectStorage {
  const pathOf = (key: string) => {
    assertValidKey(key);
    return join(root, key);
  };
  const metaOf = (key: string) => `${pathOf(key)}.meta.json`;

  async function put(key: string, body: ObjectBody, options: PutOptions): Promise<ObjectInfo> {
    const path = pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString("hex")}.part`;
    const out = createWriteStream(temp);
    let size = 0;
    try {
      for await (const chunk of limitedChunks(body, options.maxBytes)) {
        size += chunk.byteLength;
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      }
      out.end();
      await finished(out);
      await writeFile(metaOf(key), JSON.stringify({ contentType: options.contentType }));
      await rename(temp, path);
      return { size, contentType: options.contentType };
    } catch (error) {
      out.destroy();
      await rm(temp, { force: true });
      throw error;
    }
  }

  async function head(key: string): Promise<ObjectInfo | null> {
    try {
      const [info, meta] = await Promise.all([stat(pathOf(key)), readFile(metaOf(key), "utf8")]);
      const { contentType } = JSON.parse(meta) as { contentType: string };
      return { size: info.size, contentType };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  return {
    driver: "local",
    put,
    head,
    async get(key) {
      const info = await head(key);
      if (!info) return null;
      return { ...info, body: Bun.file(pathOf(key)).stream() };
    },
    async delete(key) {
      await Promise.all([unlink(pathOf(key)).catch(ignoreMissing), unlink(metaOf(key)).catch(ignoreMissing)]);
    },
  };
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== "ENOENT") throw error;
}
