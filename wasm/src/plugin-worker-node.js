// Node worker entry of the plugin WorkerHost (plugins.js): runs plugin
// calls (fresh instance each) and posts their findings or failures back.
// The parent terminates this worker at a call's deadline.
import { parentPort } from 'node:worker_threads';
import { workerReply } from './plugins.js';

parentPort.on('message', (job) => parentPort.postMessage(workerReply(job)));
parentPort.postMessage({ ready: true });
