#!/usr/bin/env node
// idguard-language-server: the idguard checker as a Language Server
// Protocol server. Run it with `--stdio` (also `--node-ipc`,
// `--socket=PORT`, as vscode-languageserver understands them).
//
//   idguard-language-server --stdio
import lsp from 'vscode-languageserver/node';
import { startServer } from './service.js';

if (process.argv.includes('--version') || process.argv.includes('-v')) {
  const { version } = await import('../src/node.js');
  console.log(`idguard-language-server ${version()}`);
  process.exit(0);
}

startServer(lsp.createConnection(lsp.ProposedFeatures.all));
