// A tiny OCI image layout on disk (oci-layout, index.json, blobs): one gzip tar layer
// (skopeo pushes a gzip layer as it is, so its digest survives the round trip) holding one
// file of random bytes of the asked size.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface OciImage {
  dir: string;
  tag: string;
  /** sha256:… of the one layer as stored and pushed (gzip). */
  layerDigest: string;
  layerSize: number;
  manifestDigest: string;
}

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, at: number, len: number) => h.write(text.slice(0, len), at, 'ascii');
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, '0');
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(1_700_000_000, 12), 136, 12);
  h.fill(0x20, 148, 156);
  put('0', 156, 1);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8);
  return h;
}

async function writeBlob(dir: string, data: Buffer | string): Promise<{ digest: string; size: number }> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const hex = createHash('sha256').update(buf).digest('hex');
  await writeFile(join(dir, 'blobs', 'sha256', hex), buf);
  return { digest: `sha256:${hex}`, size: buf.length };
}

/** Streams the layer (tar header, content in 1 MiB chunks, padding, end blocks) through gzip to its blob file. */
async function writeLayer(dir: string, bytes: number, seed: string): Promise<{ digest: string; size: number; diffId: string }> {
  const tmp = join(dir, 'blobs', 'layer.tmp');
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  const gzip = createGzip({ level: 1 });
  const out = createWriteStream(tmp);
  let size = 0;
  gzip.on('data', (b: Buffer) => {
    gzHash.update(b);
    size += b.length;
    if (!out.write(b)) {
      gzip.pause();
      out.once('drain', () => gzip.resume());
    }
  });
  const done = new Promise<void>((resolve, reject) => {
    gzip.once('end', () => out.end(() => resolve()));
    gzip.once('error', reject);
    out.once('error', reject);
  });
  const write = async (b: Buffer) => {
    tarHash.update(b);
    if (!gzip.write(b)) await new Promise<void>((r) => gzip.once('drain', () => r()));
  };
  await write(tarHeader(`data-${seed}.bin`, bytes));
  const chunk = 1024 * 1024;
  for (let left = bytes; left > 0; left -= chunk) await write(randomBytes(Math.min(chunk, left)));
  await write(Buffer.alloc(((512 - (bytes % 512)) % 512) + 1024));
  gzip.end();
  await done;
  const hex = gzHash.digest('hex');
  await rename(tmp, join(dir, 'blobs', 'sha256', hex));
  return { digest: `sha256:${hex}`, size, diffId: `sha256:${tarHash.digest('hex')}` };
}

export async function makeOciImage(dir: string, opts: { tag?: string; bytes?: number } = {}): Promise<OciImage> {
  const tag = opts.tag ?? 'v1';
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layer = await writeLayer(dir, opts.bytes ?? 4096, randomBytes(4).toString('hex'));
  const config = await writeBlob(
    dir,
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [layer.diffId] } }),
  );
  const manifest = await writeBlob(
    dir,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
    }),
  );
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return { dir, tag, layerDigest: layer.digest, layerSize: layer.size, manifestDigest: manifest.digest };
}
