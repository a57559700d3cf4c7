// Starts `mtus lsp` (the mtus language server) for rule files (*.mtus) and
// for case files (YAML or JSON). Everything the server does is in the mtus
// binary; this file only chooses the documents it is given, starts it, and
// runs the commands of its code lenses.
//
// A YAML or JSON document is a case file when its path matches one of
// `mtus.caseFileGlobs`, or (`mtus.caseFileContent`) when its text has a
// top-level `case` or `requests` key, the keys the case loader starts
// from. Other YAML and JSON files (a CI workflow, a package.json) are never
// sent to the server. The server starts with the first document it is
// given, not before (the extension activates on any YAML or JSON file).
//
// Settings: `mtus.path` (the binary, default `mtus` on the PATH),
// `mtus.caseFiles` (check case files at all, default true),
// `mtus.caseFileGlobs`, `mtus.caseFileContent`, `mtus.trace.server`.
// Changing any but the last restarts the server.
'use strict';

const vscode = require('vscode');

const DEFAULT_GLOBS = ['**/cases/**/*.{yaml,yml,json}'];
const CASE_LANGUAGES = ['yaml', 'json'];
// Past this size a JSON text is not parsed to find its keys (a line-start
// search decides), so that typing in a large data file stays cheap.
const JSON_PARSE_LIMIT = 1 << 20;

let state;

/// The settings whose change restarts the server.
const RESTART_SETTINGS = ['mtus.path', 'mtus.caseFiles', 'mtus.caseFileGlobs', 'mtus.caseFileContent'];

/// A YAML text with a top-level `case:` or `requests:` key (at the start
/// of a line, as a block mapping writes its top level).
const YAML_CASE_KEY = /^["']?(case|requests)["']?[ \t]*:/m;
/// A JSON text whose object starts with `"case"` or `"requests"`, for a
/// text that does not parse (being typed) or is too large to parse.
const JSON_CASE_KEY = /^\uFEFF?\s*\{\s*"(case|requests)"\s*:/;
const JSON_ANY_CASE_KEY = /"(case|requests)"\s*:/;

/// Whether `text` (of a document in `language`) is a case file by its
/// content: a mapping with a top-level `case` or `requests` key.
function looksLikeCase(text, language) {
  if (language === 'yaml') {
    return YAML_CASE_KEY.test(text.replace(/^\uFEFF/, ''));
  }
  // Parse only a text that has such a key somewhere (typing in other JSON
  // files stays cheap).
  if (!JSON_ANY_CASE_KEY.test(text)) {
    return false;
  }
  if (text.length <= JSON_PARSE_LIMIT) {
    try {
      const v = JSON.parse(text.replace(/^\uFEFF/, ''));
      return v !== null && typeof v === 'object' && !Array.isArray(v) && ('case' in v || 'requests' in v);
    } catch (_) {
      // Being typed: fall through to the cheap test.
    }
  }
  return JSON_CASE_KEY.test(text);
}

/// The settings the extension reads, with their defaults.
function readSettings() {
  const config = vscode.workspace.getConfiguration('mtus');
  const globs = config.get('caseFileGlobs', DEFAULT_GLOBS);
  return {
    path: config.get('path', 'mtus') || 'mtus',
    caseFiles: config.get('caseFiles', true) !== false,
    caseFileGlobs: Array.isArray(globs) ? globs.filter((g) => typeof g === 'string' && g !== '') : DEFAULT_GLOBS,
    caseFileContent: config.get('caseFileContent', true) !== false,
  };
}

/// A predicate on a document's path from the glob settings: a glob is
/// matched against the whole path and against the path relative to the
/// workspace folder (so `cases/*.yaml` and `**/cases/*.yaml` both work).
function globMatcher(globs) {
  let Minimatch;
  try {
    ({ Minimatch } = require('minimatch'));
  } catch (_) {
    return () => false; // no dependencies: the server is not started either
  }
  const matchers = globs.map((g) => new Minimatch(g, { dot: true, nocase: process.platform === 'win32' }));
  return (uri) => {
    const full = uri.path;
    const relative = vscode.workspace.asRelativePath(uri, false);
    return matchers.some((m) => m.match(full) || m.match(relative));
  };
}

/// Which documents go to the server.
function documentFilter(settings) {
  const byGlob = globMatcher(settings.caseFileGlobs);
  return (document) => {
    if (document.languageId === 'mtus') {
      return document.uri.scheme === 'file' || document.uri.scheme === 'untitled';
    }
    if (!settings.caseFiles || document.uri.scheme !== 'file' || !CASE_LANGUAGES.includes(document.languageId)) {
      return false;
    }
    return byGlob(document.uri) || (settings.caseFileContent && looksLikeCase(document.getText(), document.languageId));
  };
}

/// The documents the client offers to the server: every rule file, and
/// YAML and JSON files; the middleware narrows the latter to case files.
function documentSelector(settings) {
  const selector = [
    { scheme: 'file', language: 'mtus' },
    { scheme: 'untitled', language: 'mtus' },
  ];
  if (settings.caseFiles) {
    for (const language of CASE_LANGUAGES) {
      selector.push({ scheme: 'file', language });
    }
  }
  return selector;
}

/// The middleware that keeps documents that are not case files away from
/// the server: it opens a document on the server only when `wanted` says
/// so (on opening, or when an edit makes it a case file), and asks the
/// server about a document only once it has opened it there.
function middleware(wanted, opened, getClient) {
  const known = (document) => opened.has(document.uri.toString());
  const guard = (document, rest) => {
    const next = rest[rest.length - 1];
    return known(document) ? next(document, ...rest.slice(0, -1)) : undefined;
  };
  const m = {
    didOpen(document, next) {
      if (!wanted(document)) {
        return Promise.resolve();
      }
      opened.add(document.uri.toString());
      return next(document);
    },
    didChange(event, next) {
      if (known(event.document)) {
        return next(event);
      }
      if (!wanted(event.document)) {
        return Promise.resolve();
      }
      // It became a case file as it was typed: open it with its text now.
      const client = getClient();
      opened.add(event.document.uri.toString());
      return client.sendNotification('textDocument/didOpen', client.code2ProtocolConverter.asOpenTextDocumentParams(event.document));
    },
    didClose(document, next) {
      if (!known(document)) {
        return Promise.resolve();
      }
      opened.delete(document.uri.toString());
      return next(document);
    },
    didSave(document, next) {
      return known(document) ? next(document) : Promise.resolve();
    },
  };
  for (const name of [
    'provideHover',
    'provideDefinition',
    'provideReferences',
    'provideCompletionItem',
    'provideDocumentFormattingEdits',
    'provideDocumentSymbols',
    'provideCodeLenses',
    'provideCodeActions',
  ]) {
    m[name] = (document, ...rest) => guard(document, rest);
  }
  return m;
}

/// Starts the client (once), if it is not running.
function ensureStarted() {
  if (state.client || state.unavailable) {
    return state.starting;
  }
  let LanguageClient;
  try {
    ({ LanguageClient } = require('vscode-languageclient/node'));
  } catch (e) {
    state.unavailable = true;
    if (!e || e.code !== 'MODULE_NOT_FOUND') {
      vscode.window.showErrorMessage(`mtus: the language client failed to load (${e && e.message ? e.message : e}).`);
      return Promise.resolve();
    }
    vscode.window.showWarningMessage(
      'mtus: the extension was installed without its dependencies, so the language server is not started (highlighting works); install the packaged .vsix, or run `npm ci --omit=dev` in the extension folder.'
    );
    return Promise.resolve();
  }
  const settings = state.settings;
  const opened = new Set();
  state.opened = opened;
  const client = new LanguageClient(
    'mtus',
    'mtus language server',
    { command: settings.path, args: ['lsp'] },
    {
      documentSelector: documentSelector(settings),
      middleware: middleware(state.wanted, opened, () => client),
      outputChannel: state.output,
      traceOutputChannel: state.output,
    }
  );
  state.client = client;
  state.starting = client.start().catch((e) => {
    vscode.window.showErrorMessage(
      `mtus: could not start \`${settings.path} lsp\` (${e && e.message ? e.message : e}); set \`mtus.path\` to the mtus binary.`
    );
  });
  return state.starting;
}

/// Starts the server when a document for it is open, or opens.
function maybeStart(document) {
  if (!state.client && state.wanted(document)) {
    ensureStarted();
  }
}

function stopClient() {
  const client = state.client;
  state.client = undefined;
  state.starting = undefined;
  return client ? Promise.resolve(client.dispose()).catch(() => undefined) : Promise.resolve();
}

/// `mtus.run`, the command of the server's code lenses: its one argument
/// is the command line (`["mtus", "test", ...]`), run in a terminal with
/// the configured binary in place of `mtus`.
function runCommand(argv) {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) {
    vscode.window.showErrorMessage('mtus: `mtus.run` takes the command line to run, as a list of strings.');
    return undefined;
  }
  const args = argv.slice(1);
  const terminal = vscode.window.createTerminal({
    name: `mtus ${args[0] || ''}`.trim(),
    shellPath: state.settings.path,
    shellArgs: args,
  });
  terminal.show();
  return terminal;
}

function activate(context) {
  const settings = readSettings();
  const output = vscode.window.createOutputChannel('mtus language server');
  state = { settings, wanted: documentFilter(settings), output, client: undefined, starting: undefined, opened: new Set() };
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('mtus.run', runCommand),
    vscode.workspace.onDidOpenTextDocument(maybeStart),
    vscode.workspace.onDidChangeTextDocument((event) => maybeStart(event.document)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      // `mtus.trace.server` the client follows by itself.
      if (!RESTART_SETTINGS.some((name) => event.affectsConfiguration(name))) {
        return;
      }
      await stopClient();
      state.settings = readSettings();
      state.wanted = documentFilter(state.settings);
      vscode.workspace.textDocuments.forEach(maybeStart);
    }),
    { dispose: () => stopClient() }
  );
  vscode.workspace.textDocuments.forEach(maybeStart);
  // For tests and other extensions: the running client, if any.
  return {
    get client() {
      return state.client;
    },
    get starting() {
      return state.starting;
    },
  };
}

function deactivate() {
  return state ? stopClient() : undefined;
}

module.exports = { activate, deactivate, looksLikeCase };
