// Draws the extension icon, media/icon.png (128×128 RGBA): the shield-and-check of media/shield.svg, filled,
// on a transparent background. Node built-ins only (zlib for deflate and CRC-32); 4×4 supersampling per pixel.
// Run: node media/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { Buffer } from 'node:buffer';

const SIZE = 128;
const SCALE = SIZE / 24; // the SVG's viewBox is 24×24
const SS = 4; // samples per axis per pixel

/** Points of a cubic Bézier from p0 to p3, without p0. */
function cubic(p0, p1, p2, p3, steps = 48) {
  const out = [];
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    out.push([
      u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t * t * t * p3[0],
      u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t * t * t * p3[1],
    ]);
  }
  return out;
}

// M12 2.5 4 5.5v6c0 5 3.4 8.6 8 10 4.6-1.4 8-5 8-10v-6l-8-3Z (absolute coordinates)
const shield = [
  [12, 2.5],
  [4, 5.5],
  [4, 11.5],
  ...cubic([4, 11.5], [4, 16.5], [7.4, 20.1], [12, 21.5]),
  ...cubic([12, 21.5], [16.6, 20.1], [20, 16.5], [20, 11.5]),
  [20, 5.5],
];
const check = [
  [8.3, 12],
  [11, 14.7],
  [15.7, 9.4],
];

function inside(poly, x, y) {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

function distToSegment(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

function nearPolyline(poly, x, y, halfWidth, closed) {
  const n = closed ? poly.length : poly.length - 1;
  for (let i = 0; i < n; i++) if (distToSegment(x, y, poly[i], poly[(i + 1) % poly.length]) <= halfWidth) return true;
  return false;
}

const TOP = [0x3b, 0x9e, 0xff]; // gradient of the shield, top to bottom
const BOTTOM = [0x0b, 0x4f, 0xb3];
const RIM = [0xe6, 0xf1, 0xff];
const WHITE = [0xff, 0xff, 0xff];

const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const x = (px + (sx + 0.5) / SS) / SCALE;
        const y = (py + (sy + 0.5) / SS) / SCALE;
        let colour = null;
        if (nearPolyline(check, x, y, 1.25, false)) colour = WHITE;
        else if (nearPolyline(shield, x, y, 0.55, true)) colour = RIM;
        else if (inside(shield, x, y)) {
          const t = (y - 2.5) / 19;
          colour = TOP.map((c, i) => c + (BOTTOM[i] - c) * t);
        }
        if (colour) {
          r += colour[0];
          g += colour[1];
          b += colour[2];
          a += 1;
        }
      }
    }
    const o = (py * SIZE + px) * 4;
    if (a > 0) {
      rgba[o] = Math.round(r / a);
      rgba[o + 1] = Math.round(g / a);
      rgba[o + 2] = Math.round(b / a);
    }
    rgba[o + 3] = Math.round((255 * a) / (SS * SS));
  }
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4); // filter 0 per row
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = new URL('./icon.png', import.meta.url);
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
