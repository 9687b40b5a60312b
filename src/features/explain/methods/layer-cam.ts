// LayerCAM: like HiRes-CAM but only positive gradients count, which keeps fine detail usable at shallow layers.
// Jiang et al. 2021, "LayerCAM: Exploring Hierarchical Class Activation Maps", https://doi.org/10.1109/TIP.2021.3089943
import * as tf from '@tensorflow/tfjs';
import { camExplainer } from './cam';

export const layerCam = camExplainer({ id: 'layer-cam', gradients: true, weights: (c) => tf.relu(c.G!) });
