// Test builds only (vite --mode test): the runtime and a few modules on globalThis, for the E2E tests and the
// benchmark, which reach this document through the DevTools protocol. Production bundles never include this.
import * as tf from '@tensorflow/tfjs';
import type { ModelHostRuntime } from '../engine/host-runtime';
import { LayersAdapter } from '../engine/adapter';
import { toModelInput } from '../engine/preprocess';
import { faithfulness, randomBaseline } from '../features/explain/metrics';
import { compareAll } from '../features/explain/compare';
import { getMethod, METHODS } from '../features/explain/registry';
import { computeActivations, firstPage, toWire } from '../features/layers/activations';
import { visualiseChannel } from '../features/layers/feature-vis';

export function expose(host: ModelHostRuntime): void {
  (globalThis as Record<string, unknown>).__netlens = {
    session: host.session, jobs: host.jobs, release: host.release, tf,
    explain: { LayersAdapter, getMethod, METHODS, faithfulness, randomBaseline, compareAll, toModelInput },
    layers: { computeActivations, firstPage, toWire, visualiseChannel },
  };
}
