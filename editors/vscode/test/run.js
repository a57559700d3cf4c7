// `npm test`: extension.js run in plain Node against a stand-in for the
// `vscode` module (vscode-stub.js), with the real vscode-languageclient
// starting the real server (`mtus lsp`, the binary `mtus.path` names).
// Each scenario runs in a process of its own (a fresh `vscode`), in a
// temporary workspace: the harness opens documents and edits them as the
// editor would, and checks what went to the server (the client's own
// verbose trace), what the server published and answered, and what the
// extension did with it.
//
// The binary: $MTUS_BIN, else target/debug/mtus (or $CARGO_TARGET_DIR's),
// else target/release/mtus. VS Code itself is not started.
'use strict';

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const Module = require('module');
const { spawnSync } = require('child_process');

const HERE = path.resolve(__dirname, '..');
// The extension under test: this folder, or (to test a package) the
// `extension/` folder of an unzipped .vsix, whose node_modules are only
// what the package holds.
const EXTENSION = path.resolve(process.env.MTUS_VSCODE_EXTENSION_DIR || HERE);
const REPO = path.resolve(HERE, '..', '..');
const TIMEOUT_MS = Number(process.env.MTUS_VSCODE_TEST_TIMEOUT_MS || 120000);

function mtusBinary() {
  const exe = process.platform === 'win32' ? 'mtus.exe' : 'mtus';
  const candidates = [
    process.env.MTUS_BIN,
    process.env.CARGO_TARGET_DIR && path.join(process.env.CARGO_TARGET_DIR, 'debug', exe),
    path.join(REPO, 'target', 'debug', exe),
    path.join(REPO, 'target', 'release', exe),
  ].filter(Boolean);
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new Error(`no mtus binary (looked at ${candidates.join(', ')}): run \`cargo build\` or set MTUS_BIN`);
  }
  return path.resolve(found);
}

// ---------------------------------------------------------------------------
// The scenarios' files.

const CASE_BAD_TREATMENT = `case: visit-1
exam: { muscle_spasm: true }
requests:
  - id: m
    treatment: massage_therapie
    quantity: 6 visit
    date: 2018-03-15
`;

const CASE_OK = fs.readFileSync(path.join(REPO, 'cases', '2018-acupuncture-neck.yaml'), 'utf8');

const CASE_JSON_BAD_KEY = JSON.stringify(
  {
    case: 'json-1',
    exma: { muscle_spasm: true },
    requests: [{ id: 'm', treatment: 'massage_therapy', quantity: '6 visit', date: '2018-03-15' }],
  },
  null,
  2
);

const NOT_A_CASE_YAML = 'services:\n  web:\n    image: nginx\n    requests: 2\n';
const NOT_A_CASE_JSON = '{ "name": "tool", "version": "1.0.0", "config": { "case": "upper" } }\n';

function workspace() {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtus-vscode-')));
  const files = {
    'notes/compose.yaml': NOT_A_CASE_YAML,
    'notes/package.json': NOT_A_CASE_JSON,
    'notes/visit.yaml': CASE_BAD_TREATMENT,
    'notes/ok.yaml': CASE_OK,
    'notes/todo.yaml': 'title: plan\n',
    'notes/draft.mtus': 'rule draft_rule\n  requir prior_course_benefit\n',
    'cases/c.json': CASE_JSON_BAD_KEY,
    'mine/m.json': CASE_JSON_BAD_KEY.replace('json-1', 'json-2'),
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

// ---------------------------------------------------------------------------
// The editor's side.

/// A fresh `vscode` for everything this process requires from now on.
function installStub() {
  const { makeStub } = require('./vscode-stub');
  const stub = makeStub();
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? stub.vscode : load.call(this, request, ...rest);
  };
  return stub;
}

// The scenario's editor, to clean up after a failure.
let current;

function editor(settings) {
  const stub = installStub();
  const root = workspace();
  stub.state.settings = { 'mtus.trace.server': 'verbose', ...settings };
  stub.state.workspaceFolders = [{ uri: stub.vscode.Uri.file(root), name: 'ws', index: 0 }];
  const docs = {};
  const languageOf = (rel) => ({ '.yaml': 'yaml', '.json': 'json', '.mtus': 'mtus' })[path.extname(rel)];
  const ed = {
    stub,
    root,
    docs,
    extension: undefined,
    api: undefined,
    /// Open a workspace file as a document (firing the event when the
    /// extension is active, as VS Code does).
    open(rel) {
      const full = path.join(root, rel);
      const doc = new stub.TextDocument(full, languageOf(rel), fs.readFileSync(full, 'utf8'));
      docs[rel] = doc;
      stub.state.documents.push(doc);
      stub.fire('onDidOpenTextDocument', doc);
      return doc;
    },
    edit(rel, text) {
      stub.fire('onDidChangeTextDocument', docs[rel].edit(text));
    },
    activate() {
      ed.extension = require(path.join(EXTENSION, 'extension.js'));
      ed.api = ed.extension.activate({ subscriptions: [] });
      return ed.api;
    },
    changeSettings(change) {
      Object.assign(stub.state.settings, change);
      const names = Object.keys(change);
      stub.fire('onDidChangeConfiguration', {
        affectsConfiguration: (s) => names.some((n) => n === s || n.startsWith(`${s}.`)),
      });
    },
    trace() {
      return stub.state.output.join('');
    },
    /// The methods the client sent for a document, from its trace.
    sent(rel) {
      const uri = docs[rel].uri.toString();
      const out = [];
      const re = /Sending (?:notification|request) '([^' ]+)[^\n]*\n(?:Params: )?([\s\S]*?)(?=\n\[Trace|$)/g;
      let m;
      while ((m = re.exec(ed.trace()))) {
        if (m[2].includes(`"uri": "${uri}"`)) {
          out.push(m[1]);
        }
      }
      return out;
    },
    diagnostics(rel) {
      return stub.state.diagnostics.get(docs[rel].uri.toString());
    },
    async waitFor(what, f) {
      const until = Date.now() + TIMEOUT_MS;
      for (;;) {
        const v = f();
        if (v) {
          return v;
        }
        if (Date.now() > until) {
          throw new Error(`timed out waiting for ${what}; the client's output:\n${ed.trace().slice(-4000)}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    waitDiagnostics(rel) {
      return ed.waitFor(`the diagnostics of ${rel}`, () => ed.diagnostics(rel));
    },
    provider(kind, rel) {
      const list = stub.state.providers[kind] || [];
      const entry = list.find((e) => stub.vscode.languages.match(e.selector, docs[rel]) > 0);
      assert(entry, `no ${kind} registered for ${rel}`);
      return entry.provider;
    },
    token() {
      return new stub.vscode.CancellationTokenSource().token;
    },
    async finish() {
      await ed.extension.deactivate();
      assert.deepStrictEqual([...stub.missing], [], 'the client used parts of `vscode` the stub lacks');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  current = ed;
  return ed;
}

/// After a failed scenario: stop the server it started (it would outlive
/// this process otherwise) and remove its workspace.
async function cleanUp() {
  if (!current) {
    return;
  }
  if (current.extension) {
    await Promise.race([current.extension.deactivate(), new Promise((r) => setTimeout(r, 3000))]).catch(() => undefined);
  }
  fs.rmSync(current.root, { recursive: true, force: true });
}

function at(doc, needle) {
  const i = doc.getText().indexOf(needle);
  assert(i >= 0, `${needle} not in ${doc.fileName}`);
  return doc.positionAt(i + 1);
}

const codes = (diags) => diags.map((d) => d.code);

// ---------------------------------------------------------------------------
// The scenarios.

const scenarios = {
  /// What identifies a case file by content (no server needed).
  content() {
    installStub();
    const { looksLikeCase } = require(path.join(EXTENSION, 'extension.js'));
    assert(looksLikeCase(CASE_BAD_TREATMENT, 'yaml'));
    assert(looksLikeCase('# a case\nrequests:\n  - { id: a }\n', 'yaml'));
    assert(!looksLikeCase(NOT_A_CASE_YAML, 'yaml'), 'a nested `requests:` is not a case');
    assert(!looksLikeCase('cases: []\nshowcase: 1\n', 'yaml'));
    assert(looksLikeCase(CASE_JSON_BAD_KEY, 'json'));
    assert(!looksLikeCase(NOT_A_CASE_JSON, 'json'), 'a nested "case" is not a case');
    assert(looksLikeCase('{ "case": "being-typed", "requests": [', 'json'), 'an unfinished JSON case');
    assert(!looksLikeCase('{ "name": "x", "case"', 'json'));
    assert(looksLikeCase('\uFEFFcase: bom\n', 'yaml'), 'a YAML case with a byte order mark');
  },

  /// The defaults: case files by content anywhere and under cases/; the
  /// server starts with the first of them; other YAML and JSON never
  /// reach it; hover, lenses and their command through the client.
  async defaults(bin) {
    const ed = editor({ 'mtus.path': bin });
    ed.open('notes/compose.yaml');
    ed.open('notes/package.json');
    const api = ed.activate();
    assert.strictEqual(api.client, undefined, 'the server started with no case or rule file open');

    for (const rel of ['notes/visit.yaml', 'cases/c.json', 'notes/ok.yaml', 'notes/todo.yaml', 'notes/draft.mtus']) {
      ed.open(rel);
    }
    assert(api.client, 'a case file opened, and the server was not started');
    await api.starting;
    const init = api.client.initializeResult;
    assert.strictEqual(init && init.serverInfo && init.serverInfo.name, 'mtus', JSON.stringify(init));
    assert(init.capabilities.hoverProvider && init.capabilities.codeLensProvider, JSON.stringify(init.capabilities));

    // By content, outside any cases/ folder: the misspelt treatment.
    const visit = await ed.waitDiagnostics('notes/visit.yaml');
    assert(codes(visit).includes('unknown-treatment'), JSON.stringify(visit));
    const bad = visit.find((d) => d.code === 'unknown-treatment');
    assert.strictEqual(bad.range.start.line, 4, JSON.stringify(bad));
    // By the default glob: the misspelt key of a JSON case.
    const json = await ed.waitDiagnostics('cases/c.json');
    assert(codes(json).includes('unknown-field') && json.some((d) => d.message.includes('exma')), JSON.stringify(json));
    // A good case: published, empty. A rule file: its syntax error.
    assert.deepStrictEqual(await ed.waitDiagnostics('notes/ok.yaml'), []);
    const draft = await ed.waitDiagnostics('notes/draft.mtus');
    assert(draft.length > 0 && draft.some((d) => d.message.includes('requir')), JSON.stringify(draft));

    // Hover on a case key comes from the server's schema.
    const hover = await ed.provider('HoverProvider', 'notes/visit.yaml').provideHover(
      ed.docs['notes/visit.yaml'],
      at(ed.docs['notes/visit.yaml'], 'quantity'),
      ed.token()
    );
    assert(hover && hover.contents[0].value.includes('**fact** `request.quantity`'), JSON.stringify(hover));

    // Not case files: never opened on the server, never asked about.
    const none = await ed.provider('HoverProvider', 'notes/compose.yaml').provideHover(
      ed.docs['notes/compose.yaml'],
      at(ed.docs['notes/compose.yaml'], 'requests'),
      ed.token()
    );
    assert.strictEqual(none, undefined);
    for (const rel of ['notes/compose.yaml', 'notes/package.json', 'notes/todo.yaml']) {
      assert.deepStrictEqual(ed.sent(rel), [], `${rel} went to the server`);
      assert.strictEqual(ed.diagnostics(rel), undefined, `${rel} got diagnostics`);
    }
    // (The trace does show what went: the check above can fail.)
    assert.deepStrictEqual(ed.sent('notes/visit.yaml'), ['textDocument/didOpen', 'textDocument/hover']);

    // A YAML file that becomes a case as it is typed is opened then.
    ed.edit('notes/todo.yaml', 'case: todo-1\nrequests:\n  - { id: a, treatment: acupunture, date: 2018-03-15 }\n');
    const todo = await ed.waitFor('diagnostics of the typed case', () => {
      const d = ed.diagnostics('notes/todo.yaml');
      return d && d.length > 0 && d;
    });
    assert(codes(todo).includes('unknown-treatment'), JSON.stringify(todo));
    assert.deepStrictEqual(ed.sent('notes/todo.yaml'), ['textDocument/didOpen']);
    // And later edits of it go as edits.
    ed.edit('notes/todo.yaml', 'case: todo-1\nrequests:\n  - { id: a, treatment: acupuncture, date: 2018-03-15 }\n');
    await ed.waitFor('the typed case fixed', () => {
      const d = ed.diagnostics('notes/todo.yaml');
      return d && !codes(d).includes('unknown-treatment');
    });
    assert.deepStrictEqual(ed.sent('notes/todo.yaml'), ['textDocument/didOpen', 'textDocument/didChange']);

    // The lens `mtus test` runs the configured binary on the file.
    const lenses = await ed.provider('CodeLensProvider', 'notes/ok.yaml').provideCodeLenses(ed.docs['notes/ok.yaml'], ed.token());
    assert(lenses && lenses.length >= 2, JSON.stringify(lenses));
    const test = lenses.find((l) => l.command && l.command.title === 'mtus test');
    assert(test && test.command.command === 'mtus.run', JSON.stringify(lenses));
    const terminal = await ed.stub.vscode.commands.executeCommand(test.command.command, ...test.command.arguments);
    assert.strictEqual(terminal.options.shellPath, bin);
    assert.strictEqual(terminal.options.shellArgs[0], 'test');
    assert(terminal.options.shellArgs.includes(path.join(ed.root, 'notes/ok.yaml')), JSON.stringify(terminal.options));
    assert(terminal.shown);
    const run = spawnSync(terminal.options.shellPath, terminal.options.shellArgs, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`);
    assert(/ok\.yaml \.\.\. ok\n/.test(run.stdout) && run.stdout.includes('1 passed, 0 failed'), run.stdout);

    assert.deepStrictEqual(ed.stub.state.messages, []);
    await ed.finish();
  },

  /// The glob setting alone (content off), relative to the workspace;
  /// changing it restarts the server with the new choice.
  async glob(bin) {
    const ed = editor({ 'mtus.path': bin, 'mtus.caseFileContent': false, 'mtus.caseFileGlobs': ['mine/*.json'] });
    ed.open('notes/visit.yaml');
    ed.open('cases/c.json');
    const api = ed.activate();
    assert.strictEqual(api.client, undefined, 'the server started for files the glob does not match');
    ed.open('mine/m.json');
    assert(api.client);
    await api.starting;
    const m = await ed.waitDiagnostics('mine/m.json');
    assert(codes(m).includes('unknown-field'), JSON.stringify(m));
    assert.deepStrictEqual(ed.sent('notes/visit.yaml'), [], 'a case by content went with content matching off');
    assert.deepStrictEqual(ed.sent('cases/c.json'), [], 'the default glob still applied');

    const first = api.client;
    ed.changeSettings({ 'mtus.caseFileGlobs': ['**/notes/*.yaml'] });
    await ed.waitFor('the restart', () => api.client && api.client !== first);
    await api.starting;
    const visit = await ed.waitDiagnostics('notes/visit.yaml');
    assert(codes(visit).includes('unknown-treatment'), JSON.stringify(visit));
    await ed.finish();
  },

  /// A `mtus.path` that is not there: a message that says which setting;
  /// setting it right starts the server.
  async badpath(bin) {
    const ed = editor({ 'mtus.path': path.join(os.tmpdir(), 'no-such-dir', 'mtus') });
    ed.activate();
    ed.open('notes/visit.yaml');
    await ed.api.starting;
    const msg = ed.stub.state.messages.find((m) => m.level === 'error' && m.text.includes('mtus.path'));
    assert(msg, JSON.stringify(ed.stub.state.messages));
    assert.strictEqual(ed.diagnostics('notes/visit.yaml'), undefined);
    const failed = ed.api.client;
    ed.changeSettings({ 'mtus.path': bin });
    await ed.waitFor('the restart', () => ed.api.client && ed.api.client !== failed);
    await ed.api.starting;
    const visit = await ed.waitDiagnostics('notes/visit.yaml');
    assert(codes(visit).includes('unknown-treatment'), JSON.stringify(visit));
    await ed.finish();
  },
};

// ---------------------------------------------------------------------------

async function main() {
  const name = process.argv[2];
  if (name) {
    await scenarios[name](process.argv[3]);
    // Whatever the client left pending (timers), the scenario is over.
    process.exit(0);
  }
  const bin = mtusBinary();
  let failed = 0;
  for (const s of Object.keys(scenarios)) {
    const started = Date.now();
    const r = spawnSync(process.execPath, [__filename, s, bin], { encoding: 'utf8', timeout: TIMEOUT_MS * 3 });
    const ok = r.status === 0;
    failed += ok ? 0 : 1;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${s} (${Date.now() - started} ms)\n`);
    if (!ok) {
      process.stdout.write(`${r.stdout}${r.stderr}${r.error ? r.error : ''}\n`);
    }
  }
  const n = Object.keys(scenarios).length;
  process.stdout.write(`${n - failed} of ${n} scenarios passed, extension ${EXTENSION}, server ${bin}\n`);
  process.exitCode = failed ? 1 : 0;
}

main().catch(async (e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  await cleanUp();
  process.exit(1);
});
