// The JavaScript plugin host now ships in the package: wasm/src/plugins.js
// (platform-neutral) and wasm/src/node-plugins.js (Node workers). This
// module re-exports both for the paths the docs name.
export * from '../src/plugins.js';
export { runPluginInWorker } from '../src/node-plugins.js';
