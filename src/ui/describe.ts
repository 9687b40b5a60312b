// Words for a map, so a screen reader hears what a canvas shows: where the map is strongest (by thirds of the
// image) and how much of the image is above half of its peak.
export interface MapLike { width: number; height: number; values: Float32Array; signed: boolean }

const ROWS = ['upper', 'middle', 'lower'], COLS = ['left', 'centre', 'right'];

export function describeMap(map: MapLike): { where: string; share: number } {
  let peak = -Infinity, at = 0;
  // A signed map's evidence for the class is its positive side.
  map.values.forEach((v, i) => { if (v > peak) { peak = v; at = i; } });
  const y = Math.floor(at / map.width), x = at % map.width;
  const r = ROWS[Math.min(2, Math.floor((3 * y) / map.height))]!, c = COLS[Math.min(2, Math.floor((3 * x) / map.width))]!;
  const where = r === 'middle' && c === 'centre' ? 'centre' : r === 'middle' ? `middle ${c}` : `${r} ${c}`;
  let above = 0;
  if (peak > 0) for (const v of map.values) if (v >= peak / 2) above++;
  return { where, share: peak > 0 ? above / map.values.length : 0 };
}

/** e.g. "Grad-CAM for tabby cat: strongest in the upper left, 34 % of the image above half of the peak" */
export function mapAlt(methodName: string, className: string, map: MapLike): string {
  const d = describeMap(map);
  if (d.share === 0) return `${methodName} for ${className}: no evidence for the class anywhere in the image`;
  return `${methodName} for ${className}: strongest in the ${d.where}, ${Math.round(d.share * 100)} % of the image above half of the peak`;
}

/** e.g. "strongest in the upper left" for a channel or a class map; "silent" when nothing is above zero. */
export function whereStrongest(values: ArrayLike<number>, width: number, height: number): string {
  const d = describeMap({ width, height, values: Float32Array.from(values), signed: false });
  return d.share === 0 ? 'silent everywhere' : `strongest in the ${d.where}`;
}
