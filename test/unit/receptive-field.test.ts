// Receptive fields computed from the real model topologies equal values worked out by hand.
import { describe, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { receptiveFields, specsFromTopology } from '../../src/features/layers/receptive-field';
import { INSTALLED } from './helpers';

const rfOf = (model: string, size: number) => {
  const json = JSON.parse(fs.readFileSync(path.join(INSTALLED, model, 'model.json'), 'utf8'));
  return receptiveFields(specsFromTopology(json.modelTopology), size);
};

describe('receptive fields', () => {
  test('MobileNet v1 0.75, by hand: conv 3×3/2, then depthwise 3×3 (stride 1 or 2) and pointwise 1×1 pairs', () => {
    const rf = rfOf('mobilenet-v1-0.75-224', 224);
    expect(rf.get('input_1')).toEqual({ size: 1, jump: 1 });
    expect(rf.get('conv1')).toEqual({ size: 3, jump: 2 });          // 1 + 2·1
    expect(rf.get('conv_dw_1')).toEqual({ size: 7, jump: 2 });      // 3 + 2·2
    expect(rf.get('conv_pw_1')).toEqual({ size: 7, jump: 2 });      // 1×1 adds nothing
    expect(rf.get('conv_dw_2')).toEqual({ size: 11, jump: 4 });     // 7 + 2·2, stride 2
    expect(rf.get('conv_dw_3')).toEqual({ size: 19, jump: 4 });     // 11 + 2·4
    expect(rf.get('conv_dw_4')).toEqual({ size: 27, jump: 8 });     // 19 + 2·4, stride 2
    // dw5 43 (j 8), dw6 59 (j 16), dw7–11 91·123·155·187·219, dw12 251 (j 32), dw13 251 + 2·32 = 315
    expect(rf.get('conv_dw_6')).toEqual({ size: 59, jump: 16 });
    expect(rf.get('conv_pw_13_relu')).toEqual({ size: 315, jump: 32 });
    expect(rf.get('global_average_pooling2d_1')).toEqual({ size: 224, jump: 224 });
  });

  test('Tiny VGG, by hand: four valid 3×3 convs and two 2×2/2 pools', () => {
    const rf = rfOf('cnn-explainer-tiny-vgg', 64);
    expect(rf.get('conv_1_1')).toEqual({ size: 3, jump: 1 });
    expect(rf.get('conv_1_2')).toEqual({ size: 5, jump: 1 });
    expect(rf.get('max_pool_1')).toEqual({ size: 6, jump: 2 });
    expect(rf.get('conv_2_1')).toEqual({ size: 10, jump: 2 });
    expect(rf.get('conv_2_2')).toEqual({ size: 14, jump: 2 });
    expect(rf.get('max_pool_2')).toEqual({ size: 16, jump: 4 });
    expect(rf.get('output')).toEqual({ size: 64, jump: 64 }); // dense: the whole image
  });

  test('MobileNet v2 (residual Adds take the larger branch)', () => {
    const rf = rfOf('mobilenet-v2-1.0-224-notop', 224);
    const add = rf.get('block_2_add')!;
    expect(add.size).toBeGreaterThanOrEqual(rf.get('block_2_project_BN')!.size);
    expect(rf.get('Conv1')).toEqual({ size: 3, jump: 2 });
  });
});
