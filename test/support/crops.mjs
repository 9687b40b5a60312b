// Two visually distinct classes of real images for teaching tests and the benchmark: square crops of a photo at
// several scales and positions, as JPEG data URLs (seeded, so every run sees the same images).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PHOTOS = process.env.NETLENS_IMAGES_DIR ?? path.join(ROOT, '../shared/images');

export function crops(photo, n, seed, out = 160) {
  const img = jpeg.decode(fs.readFileSync(path.join(PHOTOS, photo)), { useTArray: true });
  let s = seed;
  const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  return Array.from({ length: n }, () => {
    const side = Math.floor(Math.min(img.width, img.height) * (0.45 + 0.45 * r()));
    const x0 = Math.floor(r() * (img.width - side)), y0 = Math.floor(r() * (img.height - side));
    const data = Buffer.alloc(out * out * 4);
    for (let y = 0; y < out; y++) for (let x = 0; x < out; x++) {
      const si = ((y0 + Math.floor((y * side) / out)) * img.width + x0 + Math.floor((x * side) / out)) * 4, di = (y * out + x) * 4;
      data[di] = img.data[si]; data[di + 1] = img.data[si + 1]; data[di + 2] = img.data[si + 2]; data[di + 3] = 255;
    }
    return `data:image/jpeg;base64,${Buffer.from(jpeg.encode({ data, width: out, height: out }, 90).data).toString('base64')}`;
  });
}
