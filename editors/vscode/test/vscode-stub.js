// A stand-in for the `vscode` module, enough for extension.js and
// vscode-languageclient to run in plain Node: documents, settings, events,
// the providers the client registers, the diagnostics it publishes,
// messages, terminals and output channels. The harness (run.js) plays the
// editor: it opens documents, fires edits, calls the registered providers
// and reads what the server published. Nothing here talks to the server:
// the real client does, over the real protocol.
'use strict';

const path = require('path');
const { pathToFileURL, fileURLToPath } = require('url');
const { Minimatch } = require('minimatch');

// Anything the client reaches for that is not here is reported (on
// stderr) instead of failing with a bare `undefined is not a function`.
const missing = new Set();
function strict(name, target) {
  return new Proxy(target, {
    get(t, key) {
      if (key in t || typeof key === 'symbol' || key === 'then' || key === 'toJSON') {
        return t[key];
      }
      const what = `${name}.${String(key)}`;
      if (!missing.has(what)) {
        missing.add(what);
        process.stderr.write(`vscode stub: ${what} is not stubbed\n`);
      }
      return undefined;
    },
  });
}

class Disposable {
  constructor(f) {
    this._f = f;
  }
  static from(...ds) {
    return new Disposable(() => ds.forEach((d) => d && d.dispose && d.dispose()));
  }
  dispose() {
    if (this._f) {
      this._f();
      this._f = undefined;
    }
  }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const l = thisArg ? listener.bind(thisArg) : listener;
      this._listeners.add(l);
      const d = new Disposable(() => this._listeners.delete(l));
      if (Array.isArray(disposables)) {
        disposables.push(d);
      }
      return d;
    };
  }
  fire(e) {
    for (const l of [...this._listeners]) {
      l(e);
    }
  }
  dispose() {
    this._listeners.clear();
  }
}

class Uri {
  constructor(scheme, p) {
    this.scheme = scheme;
    this.path = p;
    this.authority = '';
    this.query = '';
    this.fragment = '';
  }
  static file(p) {
    return new Uri('file', p.split(path.sep).join('/'));
  }
  static parse(s) {
    if (s.startsWith('file:')) {
      return Uri.file(fileURLToPath(s));
    }
    const i = s.indexOf(':');
    return new Uri(s.slice(0, i), s.slice(i + 1));
  }
  get fsPath() {
    return this.path.split('/').join(path.sep);
  }
  toString() {
    return this.scheme === 'file' ? pathToFileURL(this.path).href : `${this.scheme}:${this.path}`;
  }
  toJSON() {
    return this.toString();
  }
  with(change) {
    return new Uri(change.scheme || this.scheme, change.path || this.path);
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}

class Range {
  constructor(a, b, c, d) {
    if (typeof a === 'number') {
      this.start = new Position(a, b);
      this.end = new Position(c, d);
    } else {
      this.start = a;
      this.end = b;
    }
  }
}

class Location {
  constructor(uri, range) {
    this.uri = uri;
    this.range = range;
  }
}

class Diagnostic {
  constructor(range, message, severity) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}

class MarkdownString {
  constructor(value = '', supportThemeIcons) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
  appendMarkdown(s) {
    this.value += s;
    return this;
  }
  appendText(s) {
    this.value += s;
    return this;
  }
  appendCodeblock(code, language = '') {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

class Hover {
  constructor(contents, range) {
    this.contents = Array.isArray(contents) ? contents : [contents];
    this.range = range;
  }
}

// Plain records: what the converters build and the harness reads.
function record(...names) {
  return class {
    constructor(...args) {
      names.forEach((n, i) => {
        this[n] = args[i];
      });
    }
  };
}

// Enumerations: the names the client uses, numbered as VS Code does where
// it matters (severities); any other name gets a number of its own.
function enumeration(name, known = {}) {
  let next = 1000;
  return new Proxy(
    { ...known },
    {
      get(t, key) {
        if (typeof key === 'symbol') {
          return undefined;
        }
        if (!(key in t)) {
          t[key] = next++;
        }
        return t[key];
      },
    }
  );
}

class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this._emitter = emitter;
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
  }
  cancel() {
    this.token.isCancellationRequested = true;
    this._emitter.fire();
  }
  dispose() {}
}

class CancellationError extends Error {}

/// A text document with a path, a language and a text; `edit` replaces
/// its text and returns the change event VS Code would fire.
class TextDocument {
  constructor(fsPath, languageId, text) {
    this.uri = Uri.file(fsPath);
    this.fileName = fsPath;
    this.languageId = languageId;
    this.version = 1;
    this._text = text;
    this.isClosed = false;
    this.isDirty = false;
    this.isUntitled = false;
    this.eol = 1;
  }
  getText() {
    return this._text;
  }
  get lineCount() {
    return this._text.split('\n').length;
  }
  positionAt(offset) {
    const before = this._text.slice(0, offset).split('\n');
    return new Position(before.length - 1, before[before.length - 1].length);
  }
  offsetAt(p) {
    const lines = this._text.split('\n');
    let o = 0;
    for (let i = 0; i < p.line; i++) {
      o += lines[i].length + 1;
    }
    return o + p.character;
  }
  /// Replace the whole text: the change event of the edit.
  edit(text) {
    const end = this.positionAt(this._text.length);
    const change = { range: new Range(new Position(0, 0), end), rangeOffset: 0, rangeLength: this._text.length, text };
    this._text = text;
    this.version += 1;
    return { document: this, contentChanges: [change], reason: undefined };
  }
}

function makeStub() {
  const state = {
    settings: {},
    documents: [],
    workspaceFolders: [],
    providers: {},
    diagnostics: new Map(),
    diagnosticsChanged: new EventEmitter(),
    messages: [],
    terminals: [],
    output: [],
    commands: new Map(),
    events: {},
  };
  const event = (name) => {
    if (!state.events[name]) {
      state.events[name] = new EventEmitter();
    }
    return state.events[name].event;
  };
  const fire = (name, e) => state.events[name] && state.events[name].fire(e);

  const getConfiguration = (section) => {
    const prefix = section ? `${section}.` : '';
    return {
      get(key, dflt) {
        const full = prefix + key;
        return Object.prototype.hasOwnProperty.call(state.settings, full) ? state.settings[full] : dflt;
      },
      has(key) {
        return Object.prototype.hasOwnProperty.call(state.settings, prefix + key);
      },
      inspect() {
        return undefined;
      },
      update() {
        return Promise.resolve();
      },
    };
  };

  // VS Code's rules for a document filter: each given field must match.
  const matchFilter = (filter, document) => {
    if (typeof filter === 'string') {
      return filter === '*' || filter === document.languageId;
    }
    if (filter.language && filter.language !== '*' && filter.language !== document.languageId) {
      return false;
    }
    if (filter.scheme && filter.scheme !== '*' && filter.scheme !== document.uri.scheme) {
      return false;
    }
    if (filter.pattern) {
      const glob = typeof filter.pattern === 'string' ? filter.pattern : filter.pattern.pattern;
      if (!new Minimatch(glob, { dot: true }).match(document.uri.path)) {
        return false;
      }
    }
    if (filter.notebookType) {
      return false;
    }
    return true;
  };

  const register = (kind) => (selector, provider) => {
    const list = state.providers[kind] || (state.providers[kind] = []);
    const entry = { selector, provider };
    list.push(entry);
    return new Disposable(() => list.splice(list.indexOf(entry), 1));
  };

  const languages = {
    match(selector, document) {
      const filters = Array.isArray(selector) ? selector : [selector];
      return filters.some((f) => matchFilter(f, document)) ? 10 : 0;
    },
    createDiagnosticCollection(name) {
      const own = new Map();
      const collection = {
        name,
        set(uri, diags) {
          if (Array.isArray(uri)) {
            uri.forEach(([u, d]) => collection.set(u, d));
            return;
          }
          const key = uri.toString();
          own.set(key, diags || []);
          state.diagnostics.set(key, diags || []);
          state.diagnosticsChanged.fire(key);
        },
        get(uri) {
          return own.get(uri.toString());
        },
        has(uri) {
          return own.has(uri.toString());
        },
        delete(uri) {
          own.delete(uri.toString());
        },
        clear() {
          own.clear();
        },
        forEach(f) {
          own.forEach((d, u) => f(Uri.parse(u), d, collection));
        },
        dispose() {
          own.clear();
        },
      };
      return collection;
    },
  };
  for (const kind of [
    'CallHierarchyProvider',
    'CodeActionsProvider',
    'CodeLensProvider',
    'ColorProvider',
    'CompletionItemProvider',
    'DeclarationProvider',
    'DefinitionProvider',
    'DocumentFormattingEditProvider',
    'DocumentHighlightProvider',
    'DocumentLinkProvider',
    'DocumentRangeFormattingEditProvider',
    'DocumentRangeSemanticTokensProvider',
    'DocumentSemanticTokensProvider',
    'DocumentSymbolProvider',
    'FoldingRangeProvider',
    'HoverProvider',
    'ImplementationProvider',
    'InlayHintsProvider',
    'InlineCompletionItemProvider',
    'InlineValuesProvider',
    'LinkedEditingRangeProvider',
    'OnTypeFormattingEditProvider',
    'ReferenceProvider',
    'RenameProvider',
    'SelectionRangeProvider',
    'SignatureHelpProvider',
    'TypeDefinitionProvider',
    'TypeHierarchyProvider',
    'WorkspaceSymbolProvider',
  ]) {
    languages[`register${kind}`] = register(kind);
  }

  const message = (level) => (text, ...items) => {
    state.messages.push({ level, text });
    return Promise.resolve(undefined);
  };

  const window = {
    createOutputChannel(name) {
      const channel = {
        name,
        append: (s) => state.output.push(s),
        appendLine: (s) => state.output.push(`${s}\n`),
        replace: (s) => state.output.push(s),
        clear() {},
        show() {},
        hide() {},
        dispose() {},
      };
      return channel;
    },
    showInformationMessage: message('info'),
    showWarningMessage: message('warning'),
    showErrorMessage: message('error'),
    createTerminal(options) {
      const terminal = { options, shown: false, show: () => (terminal.shown = true), dispose() {}, sendText() {} };
      state.terminals.push(terminal);
      return terminal;
    },
    withProgress: (_options, task) => task({ report() {} }, new CancellationTokenSource().token),
    showTextDocument: () => Promise.resolve(undefined),
    activeTextEditor: undefined,
    visibleTextEditors: [],
    onDidChangeActiveTextEditor: event('onDidChangeActiveTextEditor'),
    onDidChangeVisibleTextEditors: event('onDidChangeVisibleTextEditors'),
    tabGroups: { all: [], onDidChangeTabs: event('onDidChangeTabs'), onDidChangeTabGroups: event('onDidChangeTabGroups') },
  };

  const workspace = {
    getConfiguration,
    get textDocuments() {
      return state.documents.filter((d) => !d.isClosed);
    },
    get workspaceFolders() {
      return state.workspaceFolders.length ? state.workspaceFolders : undefined;
    },
    notebookDocuments: [],
    asRelativePath(uri, includeFolder) {
      const p = typeof uri === 'string' ? uri : uri.path;
      for (const f of state.workspaceFolders) {
        const base = f.uri.path.endsWith('/') ? f.uri.path : `${f.uri.path}/`;
        if (p.startsWith(base)) {
          const rest = p.slice(base.length);
          return includeFolder ? `${f.name}/${rest}` : rest;
        }
      }
      return p;
    },
    getWorkspaceFolder(uri) {
      return state.workspaceFolders.find((f) => uri.path.startsWith(`${f.uri.path}/`));
    },
    createFileSystemWatcher() {
      return {
        onDidCreate: event('fsCreate'),
        onDidChange: event('fsChange'),
        onDidDelete: event('fsDelete'),
        dispose() {},
      };
    },
    applyEdit: () => Promise.resolve(true),
    onDidOpenTextDocument: event('onDidOpenTextDocument'),
    onDidCloseTextDocument: event('onDidCloseTextDocument'),
    onDidChangeTextDocument: event('onDidChangeTextDocument'),
    onDidSaveTextDocument: event('onDidSaveTextDocument'),
    onWillSaveTextDocument: event('onWillSaveTextDocument'),
    onDidChangeConfiguration: event('onDidChangeConfiguration'),
    onDidChangeWorkspaceFolders: event('onDidChangeWorkspaceFolders'),
    onDidOpenNotebookDocument: event('onDidOpenNotebookDocument'),
    onDidCloseNotebookDocument: event('onDidCloseNotebookDocument'),
    onDidChangeNotebookDocument: event('onDidChangeNotebookDocument'),
    onDidSaveNotebookDocument: event('onDidSaveNotebookDocument'),
    onDidCreateFiles: event('onDidCreateFiles'),
    onDidDeleteFiles: event('onDidDeleteFiles'),
    onDidRenameFiles: event('onDidRenameFiles'),
    onWillCreateFiles: event('onWillCreateFiles'),
    onWillDeleteFiles: event('onWillDeleteFiles'),
    onWillRenameFiles: event('onWillRenameFiles'),
  };

  const commands = {
    registerCommand(name, f) {
      state.commands.set(name, f);
      return new Disposable(() => state.commands.delete(name));
    },
    executeCommand(name, ...args) {
      const f = state.commands.get(name);
      if (!f) {
        return Promise.reject(new Error(`command '${name}' not found`));
      }
      return Promise.resolve(f(...args));
    },
    getCommands: () => Promise.resolve([...state.commands.keys()]),
  };

  const vscode = {
    version: '1.82.0',
    env: { appName: 'vscode-stub', language: 'en', machineId: 'stub', openExternal: () => Promise.resolve(true) },
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Location,
    Diagnostic,
    DiagnosticRelatedInformation: record('location', 'message'),
    MarkdownString,
    Hover,
    CodeLens: record('range', 'command'),
    DocumentLink: record('range', 'target'),
    InlayHint: record('position', 'label', 'kind'),
    CallHierarchyItem: record('kind', 'name', 'detail', 'uri', 'range', 'selectionRange'),
    TypeHierarchyItem: record('kind', 'name', 'detail', 'uri', 'range', 'selectionRange'),
    CodeAction: record('title', 'kind'),
    CompletionItem: record('label', 'kind'),
    CompletionList: record('items', 'isIncomplete'),
    TextEdit: record('range', 'newText'),
    DocumentSymbol: record('name', 'detail', 'kind', 'range', 'selectionRange'),
    SymbolInformation: record('name', 'kind', 'containerName', 'location'),
    WorkspaceEdit: class {
      constructor() {
        this.edits = [];
      }
      replace(uri, range, newText) {
        this.edits.push({ uri, range, newText });
      }
      insert(uri, position, newText) {
        this.edits.push({ uri, range: new Range(position, position), newText });
      }
      delete(uri, range) {
        this.edits.push({ uri, range, newText: '' });
      }
      set(uri, edits) {
        edits.forEach((e) => this.edits.push({ uri, ...e }));
      }
    },
    SnippetString: record('value'),
    RelativePattern: record('base', 'pattern'),
    CancellationTokenSource,
    CancellationError,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    DiagnosticTag: enumeration('DiagnosticTag', { Unnecessary: 1, Deprecated: 2 }),
    CompletionItemKind: enumeration('CompletionItemKind'),
    CompletionItemTag: enumeration('CompletionItemTag'),
    CompletionTriggerKind: enumeration('CompletionTriggerKind', { Invoke: 0, TriggerCharacter: 1 }),
    SymbolKind: enumeration('SymbolKind'),
    SymbolTag: enumeration('SymbolTag'),
    CodeActionKind: {
      Empty: { value: '' },
      QuickFix: { value: 'quickfix' },
      Refactor: { value: 'refactor' },
      Source: { value: 'source' },
    },
    CodeActionTriggerKind: enumeration('CodeActionTriggerKind', { Invoke: 1, Automatic: 2 }),
    TextDocumentSaveReason: enumeration('TextDocumentSaveReason', { Manual: 1, AfterDelay: 2, FocusOut: 3 }),
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    NotebookCellKind: { Markup: 1, Code: 2 },
    TabInputText: class {},
    TabInputTextDiff: class {},
    TabInputCustom: class {},
    languages: strict('languages', languages),
    window: strict('window', window),
    workspace: strict('workspace', workspace),
    commands: strict('commands', commands),
    extensions: { all: [], getExtension: () => undefined, onDidChange: event('extensionsChanged') },
  };

  return { vscode: strict('vscode', vscode), state, fire, TextDocument, missing };
}

module.exports = { makeStub };
