// Browser (module Web Worker) entry of the plugin WorkerHost (plugins.js):
// runs plugin calls (fresh instance each) and posts their findings or
// failures back. The page terminates this worker at a call's deadline.
import { workerReply } from './plugins.js';

self.onmessage = (event) => self.postMessage(workerReply(event.data));
self.postMessage({ ready: true });
