// The idguard VS Code extension: starts idguard-language-server (Node, over
// stdio) for JSON and JSONC documents, and Bicep documents (language ids
// `bicep` and `bicep-params`, as the Bicep extension names them). The
// server decides which documents are ARM templates or parameter files and
// leaves the others alone.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/**
 * The server script: the setting, else the @idguard/idguard package (bundled
 * in the .vsix under node_modules; in the repository, the npm workspace's
 * link), else the repository's copy next to this extension.
 */
function serverModule(context) {
  const configured = vscode.workspace.getConfiguration('idguard').get('serverPath');
  if (configured) return configured;
  try {
    const pkg = require.resolve('@idguard/idguard/package.json');
    const candidate = path.join(path.dirname(pkg), 'lsp', 'server.js');
    if (fs.existsSync(candidate)) return candidate;
  } catch {
    // not installed: fall through to the repository layout
  }
  return context.asAbsolutePath(path.join('..', 'lsp', 'server.js'));
}

/** Called by VS Code on the first JSON, JSONC or Bicep document. */
async function activate(context) {
  const module = serverModule(context);
  const run = { module, transport: TransportKind.stdio, args: ['--stdio'] };
  const serverOptions = {
    run,
    debug: { ...run, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const clientOptions = {
    documentSelector: [
      { language: 'json' },
      { language: 'jsonc' },
      { language: 'bicep' },
      { language: 'bicep-params' },
    ],
    // Settings changes are pushed (workspace/didChangeConfiguration); the
    // server pulls the values itself and registers its own file watcher.
    synchronize: { configurationSection: 'idguard' },
  };
  client = new LanguageClient('idguard', 'idguard', serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  await client.start();
}

/** Called by VS Code on shutdown. */
function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
