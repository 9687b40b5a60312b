// Odd images for the bad-input tests, generated here (no files to ship): an SVG, an animated GIF whose frames
// differ in colour, a 1×1 PNG, and a huge JPEG that is tiny on disk.
import zlib from 'node:zlib';

export const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120">
  <rect width="200" height="120" fill="#fde68a"/><circle cx="100" cy="60" r="45" fill="#dc2626"/></svg>`;

const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
function pngChunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, c]);
}
/** An RGB PNG from a per-row generator. */
export function png(w, h, row) {
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = []; for (let y = 0; y < h; y++) rows.push(Buffer.concat([Buffer.from([0]), row(y)]));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}
export const tinyPng = () => png(1, 1, () => Buffer.from([30, 140, 60]));

/**
 * A w×h GIF with one solid frame per colour (looping). LZW data is written "uncompressed": a clear code before
 * every two literals keeps the code size at 3 bits, which every decoder accepts.
 */
export function animatedGif(w, h, colours) {
  const palette = [...colours, ...Array(4 - colours.length).fill([0, 0, 0])].slice(0, 4);
  const head = Buffer.alloc(13); head.write('GIF89a'); head.writeUInt16LE(w, 6); head.writeUInt16LE(h, 8); head[10] = 0xf1;
  const parts = [head, Buffer.from(palette.flat()), Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0'), 0x03, 0x01, 0x00, 0x00, 0x00])];
  colours.forEach((_, index) => {
    const codes = [];
    for (let i = 0; i < w * h; i++) { if (i % 2 === 0) codes.push(4); codes.push(index); }
    codes.push(5);
    const bytes = []; let acc = 0, bits = 0;
    for (const c of codes) { acc |= c << bits; bits += 3; while (bits >= 8) { bytes.push(acc & 0xff); acc >>= 8; bits -= 8; } }
    if (bits) bytes.push(acc & 0xff);
    const blocks = [];
    for (let i = 0; i < bytes.length; i += 255) { const chunk = bytes.slice(i, i + 255); blocks.push(chunk.length, ...chunk); }
    const desc = Buffer.alloc(10); desc[0] = 0x2c; desc.writeUInt16LE(w, 5); desc.writeUInt16LE(h, 7);
    parts.push(Buffer.from([0x21, 0xf9, 0x04, 0x00, 50, 0, 0, 0x00]), desc, Buffer.from([2, ...blocks, 0]));
  });
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

/**
 * A w×h mid-grey baseline JPEG whose every 8×8 block is "DC difference 0, end of block": two bits per block
 * with one-code Huffman tables, so 12000×12000 is about 0.5 MB on disk yet 576 MB once decoded to RGBA.
 */
export function hugeGreyJpeg(w, h) {
  const seg = (marker, body) => { const b = Buffer.from(body); const len = Buffer.alloc(2); len.writeUInt16BE(b.length + 2); return Buffer.concat([Buffer.from([0xff, marker]), len, b]); };
  const sof = Buffer.alloc(9); sof[0] = 8; sof.writeUInt16BE(h, 1); sof.writeUInt16BE(w, 3); sof[5] = 1; sof[6] = 1; sof[7] = 0x11; sof[8] = 0;
  const oneCode = (cls) => [cls, 1, ...Array(15).fill(0), 0x00]; // one code of length 1 → symbol 0
  const blocks = Math.ceil(w / 8) * Math.ceil(h / 8);
  const scan = Buffer.alloc(Math.ceil((blocks * 2) / 8), 0x00);
  const pad = (blocks * 2) % 8; if (pad) scan[scan.length - 1] = (1 << (8 - pad)) - 1; // pad the last byte with 1-bits
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xdb, [0, ...Array(64).fill(1)]),
    seg(0xc0, sof),
    seg(0xc4, oneCode(0x00)),
    seg(0xc4, oneCode(0x10)),
    seg(0xda, [1, 1, 0x00, 0, 63, 0]),
    scan,
    Buffer.from([0xff, 0xd9]),
  ]);
}
