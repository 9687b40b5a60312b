#!/usr/bin/env node
// Generates the NetLens toolbar/store icons (icon-16/32/48/128.png) next to this file.
// Only node built-ins: shapes are described as signed-distance functions, rendered with
// supersampling (SS×SS samples per pixel), composited, and written as RGBA PNG via zlib.
//
//   node icons/make-icons.mjs            # writes icons/icon-{16,32,48,128}.png
//   node icons/make-icons.mjs --preview  # also writes /tmp/netlens-icons-preview.png (enlarged sheet)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SIZES = [16, 32, 48, 128];
const SS = 8; // samples per axis per pixel

// ---------- palette ----------
const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BG_TOP = hex('#5b4bdb'); // indigo, lighter at the top-left
const BG_BOTTOM = hex('#2a1f7a'); // deep indigo at the bottom-right
const GLASS = hex('#8f86f0'); // lens glass tint
const WHITE = [255, 255, 255];
const ACCENT = hex('#7ef0d2'); // mint "active neuron"

// ---------- signed distance functions (unit square, y down) ----------
const sdRoundRect = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const sdCircle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;
const sdCapsule = (x, y, ax, ay, bx, by, r) => {
  const pax = x - ax, pay = y - ay, bax = bx - ax, bay = by - ay;
  const h = Math.min(1, Math.max(0, (pax * bax + pay * bay) / (bax * bax + bay * bay)));
  return Math.hypot(pax - bax * h, pay - bay * h) - r;
};
const sdSegment = (x, y, ax, ay, bx, by, w) => sdCapsule(x, y, ax, ay, bx, by, w / 2);

// ---------- the design, per size (small sizes get fewer, bolder details) ----------
function design(size) {
  const m = size <= 16 ? 0 : size <= 48 ? 0.5 / size : 4 / 128; // outer margin
  const lens = { cx: 0.43, cy: 0.43 };
  const d = {
    margin: m,
    corner: size <= 16 ? 0.2 : 0.22,
    lens,
    outerR: size <= 16 ? 0.31 : 0.285,
    ring: size <= 16 ? 0.115 : size <= 32 ? 0.09 : 0.07,
    handleFrom: 0.6,
    handleTo: size <= 16 ? 0.86 : 0.82,
    handleW: size <= 16 ? 0.16 : size <= 32 ? 0.13 : 0.115,
    grid: size >= 48, // 3×3 neuron grid (with faint connections) or a single pupil
  };
  return d;
}

// Returns premultiplied [r,g,b,a] (0..1) for one sample point.
function sample(x, y, d) {
  let r = 0, g = 0, b = 0, a = 0;
  const over = (col, alpha) => {
    if (alpha <= 0) return;
    r = col[0] / 255 * alpha + r * (1 - alpha);
    g = col[1] / 255 * alpha + g * (1 - alpha);
    b = col[2] / 255 * alpha + b * (1 - alpha);
    a = alpha + a * (1 - alpha);
  };
  const inside = (dist) => (dist <= 0 ? 1 : 0);

  // background rounded square with a diagonal gradient
  const half = 0.5 - d.margin;
  if (!inside(sdRoundRect(x, y, 0.5, 0.5, half, half, d.corner))) return [0, 0, 0, 0];
  const t = Math.min(1, Math.max(0, (x + y) / 2));
  over(BG_TOP.map((c, i) => c + (BG_BOTTOM[i] - c) * t), 1);

  const { cx, cy } = d.lens;
  const innerR = d.outerR - d.ring;
  // glass: tinted disc, a little lighter towards the top-left (a hint of reflection)
  if (inside(sdCircle(x, y, cx, cy, innerR))) {
    const gl = Math.hypot(x - (cx - innerR * 0.45), y - (cy - innerR * 0.45)) / (innerR * 1.6);
    over(GLASS, 0.38 - 0.2 * Math.min(1, gl));
  }
  // handle (drawn before the ring so the ring overlaps its start cleanly)
  const k = Math.SQRT1_2;
  const hx0 = cx + (d.outerR - 0.01) * k, hx1 = d.handleTo;
  if (inside(sdSegment(x, y, hx0, hx0, hx1, hx1, d.handleW))) over(WHITE, 1);
  // ring
  if (inside(Math.abs(sdCircle(x, y, cx, cy, d.outerR - d.ring / 2)) - d.ring / 2)) over(WHITE, 1);

  if (d.grid) {
    const s = innerR * 0.52; // grid pitch
    const dotR = innerR * 0.165;
    const pts = [];
    for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) pts.push([cx + i * s, cy + j * s, i, j]);
    // faint synapses between neighbouring neurons
    const lw = innerR * 0.07;
    for (const [px, py, i, j] of pts) {
      for (const [di, dj] of [[1, 0], [0, 1], [1, 1], [1, -1]]) {
        const ni = i + di, nj = j + dj;
        if (Math.abs(ni) > 1 || Math.abs(nj) > 1) continue;
        if (inside(sdSegment(x, y, px, py, cx + ni * s, cy + nj * s, lw))) { over(WHITE, 0.35); break; }
      }
    }
    for (const [px, py, i, j] of pts) {
      const centre = i === 0 && j === 0;
      if (inside(sdCircle(x, y, px, py, centre ? dotR * 1.35 : dotR))) over(centre ? ACCENT : WHITE, 1);
    }
  } else {
    // single bold pupil with a mint centre: reads as an eye at toolbar size
    // (at 16 px a solid mint pupil; a white pupil with a mint core from 32 px)
    const pr = innerR * (d.size <= 16 ? 0.62 : 0.55);
    if (d.size <= 16) {
      if (inside(sdCircle(x, y, cx, cy, pr))) over(ACCENT, 1);
    } else {
      if (inside(sdCircle(x, y, cx, cy, pr))) over(WHITE, 1);
      if (inside(sdCircle(x, y, cx, cy, pr * 0.45))) over(ACCENT, 1);
    }
  }
  return [r, g, b, a];
}

function render(size) {
  const d = design(size);
  const px = new Uint8Array(size * size * 4);
  const n = SS * SS;
  for (let py = 0; py < size; py++) {
    for (let pxi = 0; pxi < size; pxi++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const s = sample((pxi + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size, d);
          r += s[0]; g += s[1]; b += s[2]; a += s[3];
        }
      }
      const o = (py * size + pxi) * 4;
      a /= n;
      // un-premultiply for PNG's straight alpha
      px[o] = a ? Math.round((r / n / a) * 255) : 0;
      px[o + 1] = a ? Math.round((g / n / a) * 255) : 0;
      px[o + 2] = a ? Math.round((b / n / a) * 255) : 0;
      px[o + 3] = Math.round(a * 255);
    }
  }
  return px;
}

// ---------- PNG encoder ----------
const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Enlarged side-by-side sheet (nearest-neighbour) on a light and a dark strip, for eyeballing.
function previewSheet(images) {
  const scale = { 16: 8, 32: 4, 48: 3, 128: 1 };
  const cell = 128, pad = 16;
  const W = SIZES.length * (cell + pad) + pad, H = 2 * (cell + pad) + pad;
  const out = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const v = y < H / 2 ? 245 : 40;
    out.set([v, v, v, 255], (y * W + x) * 4);
  }
  SIZES.forEach((size, i) => {
    const img = images[size], sc = scale[size];
    for (let row = 0; row < 2; row++) {
      const ox = pad + i * (cell + pad), oy = pad + row * (cell + pad);
      for (let y = 0; y < size * sc; y++) for (let x = 0; x < size * sc; x++) {
        const s = ((Math.floor(y / sc) * size) + Math.floor(x / sc)) * 4, o = ((oy + y) * W + ox + x) * 4;
        const al = img[s + 3] / 255;
        for (let c = 0; c < 3; c++) out[o + c] = Math.round(img[s + c] * al + out[o + c] * (1 - al));
      }
    }
  });
  return encodePng(W, H, out);
}

const images = {};
for (const size of SIZES) {
  images[size] = render(size);
  const file = path.join(HERE, `icon-${size}.png`);
  fs.writeFileSync(file, encodePng(size, size, images[size]));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
if (process.argv.includes('--preview')) {
  fs.writeFileSync('/tmp/netlens-icons-preview.png', previewSheet(images));
  console.log('wrote /tmp/netlens-icons-preview.png');
}
