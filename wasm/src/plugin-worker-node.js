// Worker entry of runPluginInWorker (host.mjs): runs one plugin call and
// posts its findings or its failure back. The parent terminates this
// worker at the deadline.
import { parentPort, workerData } from 'node:worker_threads';
import { runPlugin } from './host.mjs';

const { bytes, model, config, limits } = workerData;
try {
  const findings = await runPlugin(bytes, model, config, limits);
  parentPort.postMessage({ ok: true, findings });
} catch (e) {
  parentPort.postMessage({ ok: false, kind: e.kind ?? 'trap', message: e.message });
}
