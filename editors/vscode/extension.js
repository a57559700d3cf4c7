// Starts `mtus lsp` (the mtus language server) for rule files (*.mtus) and
// for case files (YAML or JSON) inside a `cases/` folder. Everything the
// server does is in the mtus binary; this file only starts it.
//
// Settings: `mtus.path` (the mtus binary, default `mtus` on the PATH) and
// `mtus.caseFiles` (also check case files, default true).
'use strict';

const vscode = require('vscode');

let client;

function activate(context) {
  let LanguageClient;
  try {
    ({ LanguageClient } = require('vscode-languageclient/node'));
  } catch (e) {
    vscode.window.showWarningMessage(
      'mtus: run `npm install --omit=dev` in the extension folder to start the language server (highlighting works without it).'
    );
    return;
  }
  const config = vscode.workspace.getConfiguration('mtus');
  const command = config.get('path', 'mtus');
  const documentSelector = [
    { scheme: 'file', language: 'mtus' },
    { scheme: 'untitled', language: 'mtus' },
  ];
  if (config.get('caseFiles', true)) {
    documentSelector.push({ scheme: 'file', language: 'yaml', pattern: '**/cases/**' });
    documentSelector.push({ scheme: 'file', language: 'json', pattern: '**/cases/**' });
  }
  client = new LanguageClient(
    'mtus',
    'mtus language server',
    { command, args: ['lsp'] },
    { documentSelector }
  );
  client.start();
  context.subscriptions.push({ dispose: () => (client ? client.stop() : undefined) });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
