// What the network looks for, on the user's image: the first layer's learned filters (for the kernel
// playground), one channel's map, and the input patches that excite a channel most (its top cells, each
// with the receptive-field box it sees).
import * as tf from '@tensorflow/tfjs';
import { RequestError } from '../../engine/jobs';
import type { NetLensModel } from '../../engine/model';
import { floatsToBase64 } from '../../shared/codecs';
import type { ChannelMapData, FiltersData, TopPatchesData, Track } from './contract';
import { boxOf } from './rf-box';
import { channelMap } from './windows';

export async function firstFilters(model: NetLensModel, track: Track): Promise<FiltersData> {
  const stage = track.stages.find((s) => s.kind === 'conv');
  if (!stage) throw new RequestError(`${model.entry.name} has no convolution to compare with`);
  const kernel = model.model.getLayer(stage.layer).getWeights()[0]!;
  return {
    kind: 'filters', layer: stage.layer, output: stage.output, shape: kernel.shape as [number, number, number, number],
    values: floatsToBase64(Float32Array.from(await kernel.data())), stride: stage.stride?.[0] ?? 1,
  };
}

function spatial(model: NetLensModel, layer: string): number[] {
  const l = model.model.layers.find((x) => x.name === layer);
  const shape = l ? (l.outputShape as number[]) : [];
  if (shape.length !== 4) throw new RequestError(`"${layer}" has no spatial channels`);
  return shape.slice(1) as number[];
}

async function mapOf(model: NetLensModel, input: tf.Tensor4D, layer: string, channel: number) {
  const [, , c] = spatial(model, layer);
  if (channel >= c!) throw new RequestError(`"${layer}" has ${c} channels`);
  const y = model.layerOutput(input, layer);
  return { channels: c!, ...(await channelMap(y, channel).finally(() => y.dispose())) };
}

export async function channelOf(model: NetLensModel, input: tf.Tensor4D, layer: string, channel: number): Promise<ChannelMapData> {
  const m = await mapOf(model, input, layer, channel);
  return { kind: 'channel-map', layer, channel, map: { height: m.height, width: m.width, values: floatsToBase64(m.values) } };
}

/** The k highest cells of a channel's map (ties by reading order), each with the input box it can see. */
export function topCells(values: Float32Array, width: number, k: number): { row: number; col: number; value: number }[] {
  return Array.from(values, (value, i) => ({ i, value })).sort((a, b) => b.value - a.value || a.i - b.i).slice(0, k)
    .map(({ i, value }) => ({ row: Math.floor(i / width), col: i % width, value }));
}

export async function topPatches(model: NetLensModel, input: tf.Tensor4D, track: Track, layer: string, channel: number, k: number): Promise<TopPatchesData> {
  const field = track.fields.find((f) => f.layer === layer);
  if (!field) throw new RequestError(`"${layer}" is not a layer whose patches NetLens can cut out`);
  const m = await mapOf(model, input, layer, channel);
  const cells = topCells(m.values, m.width, k).map((c) => ({ ...c, box: boxOf(field, c.row, c.col, track.input.height, track.input.width) }));
  return { kind: 'top-patches', layer, channel, channels: m.channels, map: { height: m.height, width: m.width, values: floatsToBase64(m.values) }, cells };
}
