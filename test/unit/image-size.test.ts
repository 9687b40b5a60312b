import { describe, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { imageSize } from '../../src/engine/image-size';
import { PHOTOS_DIR } from './helpers';

describe('image sizes from headers', () => {
  test('the real JPEG photos (EXIF and all)', () => {
    expect(imageSize(fs.readFileSync(path.join(PHOTOS_DIR, 'kite.jpg')))).toEqual({ width: 1352, height: 900 });
    expect(imageSize(fs.readFileSync(path.join(PHOTOS_DIR, 'scream.jpg')))).toEqual({ width: 352, height: 448 });
  });
  test('a JPEG written here, non-square', () => {
    const raw = jpeg.encode({ data: Buffer.alloc(37 * 21 * 4, 128), width: 37, height: 21 }, 80).data;
    expect(imageSize(raw)).toEqual({ width: 37, height: 21 });
  });
  test('PNG, GIF, BMP and WebP headers', () => {
    const png = Buffer.alloc(33); Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png); png.write('IHDR', 12); png.writeUInt32BE(12000, 16); png.writeUInt32BE(9000, 20);
    expect(imageSize(png)).toEqual({ width: 12000, height: 9000 });
    const gif = Buffer.alloc(13); gif.write('GIF89a'); gif.writeUInt16LE(300, 6); gif.writeUInt16LE(200, 8);
    expect(imageSize(gif)).toEqual({ width: 300, height: 200 });
    const bmp = Buffer.alloc(30); bmp.write('BM'); bmp.writeInt32LE(640, 18); bmp.writeInt32LE(-480, 22);
    expect(imageSize(bmp)).toEqual({ width: 640, height: 480 });
    const webp = Buffer.alloc(30); webp.write('RIFF'); webp.write('WEBP', 8); webp.write('VP8X', 12); webp.writeUIntLE(4999, 24, 3); webp.writeUIntLE(2999, 27, 3);
    expect(imageSize(webp)).toEqual({ width: 5000, height: 3000 });
  });
  test('not an image, or cut before the size: null', () => {
    expect(imageSize(Buffer.from('<html><body>nope</body></html>'))).toBeNull();
    expect(imageSize(fs.readFileSync(path.join(PHOTOS_DIR, 'dog.jpg')).subarray(0, 20))).toBeNull();
  });
});
