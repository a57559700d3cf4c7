//! `mtus lsp`: a language server for rule files (`*.mtus`) and case files
//! (`*.yaml`, `*.yml`, `*.json`), over standard input and output.
//!
//! Rule files: diagnostics as you type (the checker's errors with their
//! codes, else the linter's warnings) for the folder the file is in, with
//! the editor's unsaved buffers in place of the files on disk; hover, go to
//! definition and find references for facts, constants (sets included),
//! rules, treatments, classes and sources; completion of fact paths,
//! treatments, classes, constants, rules and sources; formatting by
//! `mtus fmt`'s formatter; code actions for lint findings. Case files: the
//! case loader's diagnostics against the rules of their workspace (the
//! `rules/` folder found from the file upward), else the built-in rules.
//!
//! Invariants: never panics on client input (a malformed message gets a
//! JSON-RPC error, a bad request an LSP error, a position past the end of
//! a text is clamped); writes nothing but protocol messages to its output
//! and nothing to any file (formatting is an edit the editor applies); a
//! message larger than [`MAX_MESSAGE_BYTES`] ends the session with an
//! error instead of being read; columns are UTF-16 unless the client
//! offers UTF-8.

pub mod actions;
pub mod case;
pub mod completion;
mod diagnostics;
pub mod hover;
pub mod index;
mod requests;
pub mod symbols;
pub mod text;
mod transport;
mod worker;
pub mod workspace;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

use lsp_server::{Message, Notification, Request, Response};
use lsp_types as lt;
use serde_json::{Value, json};

use crate::RuleSet;
use crate::diag::{Diagnostic, Severity};
use crate::inputs::Limits;
use text::{Encoding, LineIndex};
use workspace::{Overlay, RuleFolder};

pub(crate) use diagnostics::rule_diagnostic;
use diagnostics::{CaseJob, CaseRules, bare_diagnostic};
use transport::{Incoming, classify, read_frame, write_frame};
use worker::Worker;

/// The largest message read from the client.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;
const MAX_HEADER_BYTES: u64 = 8 << 10;

// JSON-RPC and LSP error codes.
const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;
const METHOD_NOT_FOUND: i32 = -32601;
const INVALID_PARAMS: i32 = -32602;
const INTERNAL_ERROR: i32 = -32603;
const SERVER_NOT_INITIALIZED: i32 = -32002;
const REQUEST_FAILED: i32 = -32803;

/// Why the server stopped other than by `shutdown` and `exit`.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    #[error("cannot write to the client: {0}")]
    Write(#[from] std::io::Error),
    #[error("the client's messages cannot be read: {0}")]
    Framing(String),
}

/// How the session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown`, then `exit`.
    Clean,
    /// `exit` without `shutdown`, or the input closed.
    Abrupt,
}

/// What the main loop waits for: a message from the client, or a result
/// from a worker.
enum Event {
    In(Incoming),
    /// The client's input ended (the workers still hold senders, so the
    /// channel alone never says so).
    End,
    /// A folder analysed (checked, not linted) for a generation.
    Checked {
        key: FolderKey,
        generation: u64,
        folder: Box<RuleFolder>,
    },
    /// A folder's lint warnings for a generation.
    Linted {
        key: FolderKey,
        generation: u64,
        lints: Vec<Diagnostic>,
    },
    /// A case file's diagnostics for one of its generations.
    Cased {
        uri: String,
        generation: u64,
        diags: Vec<lt::Diagnostic>,
    },
}

/// Serve one client: read messages from `input` (a thread of its own), write
/// answers to `output`, until `exit` or the end of the input. Rule folders
/// are checked and linted, and case files loaded, on two worker threads:
/// the main loop only answers, so a request is answered while a lint runs.
pub fn serve(input: impl BufRead + Send + 'static, output: impl Write, limits: Limits) -> Result<Ending, LspError> {
    let (tx, rx) = mpsc::channel::<Event>();
    let reader_tx = tx.clone();
    std::thread::spawn(move || {
        let mut input = input;
        loop {
            match read_frame(&mut input) {
                Ok(Some(body)) => {
                    if let Some(m) = classify(&body) {
                        if reader_tx.send(Event::In(m)).is_err() {
                            return;
                        }
                    }
                }
                Ok(None) => {
                    let _ = reader_tx.send(Event::End);
                    return;
                }
                Err(e) => {
                    let _ = reader_tx.send(Event::In(Incoming::Broken(e)));
                    return;
                }
            }
        }
    });
    let mut server = Server::new(output, limits, tx);
    loop {
        let Ok(first) = rx.recv() else {
            return Ok(Ending::Abrupt);
        };
        let mut next = Some(first);
        // Handle every event that is waiting, then start the analyses
        // they call for once: typing fast does not check the rules once
        // per key.
        while let Some(e) = next.take() {
            match e {
                Event::In(Incoming::Message(m)) => {
                    if let Some(end) = server.handle(m)? {
                        return Ok(end);
                    }
                }
                Event::In(Incoming::Invalid { id, code, message }) => server.send_raw(&json!({
                    "jsonrpc": "2.0",
                    "id": id,
                    "error": { "code": code, "message": message },
                }))?,
                Event::In(Incoming::Broken(why)) => return Err(LspError::Framing(why)),
                Event::End => return Ok(Ending::Abrupt),
                Event::Checked {
                    key,
                    generation,
                    folder,
                } => server.checked(key, generation, *folder),
                Event::Linted { key, generation, lints } => server.linted(&key, generation, lints),
                Event::Cased { uri, generation, diags } => server.cased(&uri, generation, diags)?,
            }
            next = rx.try_recv().ok();
        }
        server.schedule()?;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Rules,
    Case { json: bool },
    Other,
}

/// An open document.
struct Document {
    path: Option<PathBuf>,
    text: String,
    version: i32,
    lines: LineIndex,
    kind: Kind,
    /// Larger than the file cap: not parsed, one diagnostic says so.
    oversize: bool,
    /// A case file's generation: bumped whenever its diagnostics are out
    /// of date (its text or its rules changed).
    generation: u64,
}

impl Document {
    fn set_text(&mut self, text: String, limits: &Limits) {
        self.oversize = u64::try_from(text.len()).unwrap_or(u64::MAX) > limits.max_file_bytes;
        self.lines = LineIndex::new(&text);
        self.text = text;
    }
}

/// Which rule folder a rule file belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum FolderKey {
    Dir(PathBuf),
    /// A buffer with no file (`untitled:`): analysed alone.
    Alone(String),
}

impl FolderKey {
    fn job(&self) -> String {
        match self {
            FolderKey::Dir(d) => format!("dir:{}", d.display()),
            FolderKey::Alone(u) => format!("alone:{u}"),
        }
    }
}

/// What the server knows of a rule folder.
#[derive(Default)]
struct FolderState {
    /// Bumped by every change to its files' texts.
    generation: u64,
    /// The generation last handed to the checker.
    submitted: u64,
    /// The latest analysis back from the checker (it may be of an older
    /// generation: requests are answered from it meanwhile).
    current: Option<Arc<RuleFolder>>,
    current_generation: u64,
    /// A lint is wanted once the generation is checked (opened, saved).
    wants_lint: bool,
    /// The generation being linted.
    linting: Option<u64>,
    /// Diagnostics of the generation are owed to the editor.
    owed: bool,
}

impl FolderState {
    fn fresh(&self) -> bool {
        self.current.is_some() && self.current_generation == self.generation
    }
}

struct Server<W: Write> {
    out: W,
    limits: Limits,
    enc: Encoding,
    initialized: bool,
    shutdown: bool,
    docs: BTreeMap<String, Document>,
    folders: HashMap<FolderKey, FolderState>,
    /// The built-in rules, loaded by a worker on first need.
    builtin: Builtin,
    /// Case files whose diagnostics are out of date.
    dirty_cases: BTreeSet<String>,
    /// Oversized buffers owed their one diagnostic.
    dirty_oversize: BTreeSet<String>,
    /// URIs that were last sent diagnostics that were not empty.
    published: BTreeSet<String>,
    checker: Worker,
    linter: Worker,
}

type Builtin = Arc<OnceLock<Result<Arc<RuleSet>, String>>>;

type Answer = Result<Value, (i32, String)>;

fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, (i32, String)> {
    serde_json::from_value(v).map_err(|e| (INVALID_PARAMS, format!("invalid parameters: {e}")))
}

fn load_builtin(b: &Builtin) -> &Result<Arc<RuleSet>, String> {
    b.get_or_init(|| {
        let mut sm = crate::diag::SourceMap::new();
        RuleSet::embedded(&mut sm).map(Arc::new).map_err(|e| e.to_string())
    })
}

impl<W: Write> Server<W> {
    fn new(out: W, limits: Limits, tx: Sender<Event>) -> Server<W> {
        Server {
            out,
            limits,
            enc: Encoding::Utf16,
            initialized: false,
            shutdown: false,
            docs: BTreeMap::new(),
            folders: HashMap::new(),
            builtin: Arc::default(),
            dirty_cases: BTreeSet::new(),
            dirty_oversize: BTreeSet::new(),
            published: BTreeSet::new(),
            checker: Worker::spawn("mtus-check", tx.clone()),
            linter: Worker::spawn("mtus-lint", tx),
        }
    }

    fn send(&mut self, m: Message) -> Result<(), LspError> {
        m.write(&mut self.out)?;
        Ok(())
    }

    fn send_raw(&mut self, v: &Value) -> Result<(), LspError> {
        write_frame(&mut self.out, &v.to_string())?;
        Ok(())
    }

    fn notify(&mut self, method: &str, params: impl serde::Serialize) -> Result<(), LspError> {
        let params = serde_json::to_value(params).unwrap_or(Value::Null);
        self.send(Message::Notification(Notification {
            method: method.to_string(),
            params,
        }))
    }

    /// Handle one message; `Some` when the session ends.
    fn handle(&mut self, m: Message) -> Result<Option<Ending>, LspError> {
        match m {
            Message::Request(r) => {
                let id = r.id.clone();
                let answer = self.request_guarded(r);
                let response = match answer {
                    Ok(v) => Response::new_ok(id, v),
                    Err((code, message)) => Response::new_err(id, code, message),
                };
                self.send(Message::Response(response))?;
                Ok(None)
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Ok(Some(if self.shutdown { Ending::Clean } else { Ending::Abrupt }));
                }
                if self.initialized && !self.shutdown {
                    self.notification(n);
                }
                Ok(None)
            }
            // The server sends no requests, so expects no responses.
            Message::Response(_) => Ok(None),
        }
    }

    /// A request, with any panic (a bug) turned into an internal error
    /// rather than ending the session.
    fn request_guarded(&mut self, r: Request) -> Answer {
        let method = r.method.clone();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.request(r))) {
            Ok(a) => a,
            Err(_) => Err((
                INTERNAL_ERROR,
                format!("mtus failed on `{method}` (a bug; please report it with the file)"),
            )),
        }
    }

    fn request(&mut self, r: Request) -> Answer {
        if r.method == "initialize" {
            if self.initialized {
                return Err((INVALID_REQUEST, "the server is already initialized".into()));
            }
            return Ok(self.initialize(&r.params));
        }
        if !self.initialized {
            return Err((SERVER_NOT_INITIALIZED, "the server is not initialized yet".into()));
        }
        if self.shutdown {
            return Err((INVALID_REQUEST, "the server is shutting down".into()));
        }
        match r.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            "textDocument/hover" => self.hover(params(r.params)?),
            "textDocument/definition" => self.definition(params(r.params)?),
            "textDocument/references" => self.references(params(r.params)?),
            "textDocument/completion" => self.completion(params(r.params)?),
            "textDocument/formatting" => self.formatting(params(r.params)?),
            "textDocument/codeAction" => self.code_action(params(r.params)?),
            "textDocument/documentSymbol" => self.document_symbol(params(r.params)?),
            "textDocument/codeLens" => self.code_lens(params(r.params)?),
            m => Err((METHOD_NOT_FOUND, format!("mtus does not answer `{m}`"))),
        }
    }

    fn initialize(&mut self, p: &Value) -> Value {
        let offers_utf8 = p
            .pointer("/capabilities/general/positionEncodings")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|e| e.as_str() == Some("utf-8")));
        self.enc = if offers_utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        self.initialized = true;
        let caps = lt::ServerCapabilities {
            position_encoding: Some(if offers_utf8 {
                lt::PositionEncodingKind::UTF8
            } else {
                lt::PositionEncodingKind::UTF16
            }),
            text_document_sync: Some(lt::TextDocumentSyncCapability::Options(lt::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lt::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lt::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            })),
            hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
            definition_provider: Some(lt::OneOf::Left(true)),
            references_provider: Some(lt::OneOf::Left(true)),
            completion_provider: Some(lt::CompletionOptions {
                trigger_characters: Some(vec![".".into()]),
                ..Default::default()
            }),
            document_formatting_provider: Some(lt::OneOf::Left(true)),
            document_symbol_provider: Some(lt::OneOf::Left(true)),
            code_lens_provider: Some(lt::CodeLensOptions {
                resolve_provider: Some(false),
            }),
            code_action_provider: Some(lt::CodeActionProviderCapability::Options(lt::CodeActionOptions {
                code_action_kinds: Some(vec![lt::CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            ..Default::default()
        };
        serde_json::to_value(lt::InitializeResult {
            capabilities: caps,
            server_info: Some(lt::ServerInfo {
                name: "mtus".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
        .unwrap_or(Value::Null)
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<lt::DidOpenTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri.as_str().to_string();
                    let path = text::uri_to_path(&uri);
                    let kind = kind_of(path.as_deref(), &uri, &p.text_document.language_id);
                    let mut doc = Document {
                        path,
                        lines: LineIndex::new(""),
                        text: String::new(),
                        version: p.text_document.version,
                        kind,
                        oversize: false,
                        generation: 0,
                    };
                    doc.set_text(p.text_document.text, &self.limits);
                    self.docs.insert(uri.clone(), doc);
                    self.changed(&uri, true, true);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<lt::DidChangeTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri.as_str().to_string();
                    let enc = self.enc;
                    if let Some(doc) = self.docs.get_mut(&uri) {
                        for c in p.content_changes {
                            let new = match c.range {
                                Some(r) => {
                                    let a = doc.lines.offset(&doc.text, r.start, enc);
                                    let b = doc.lines.offset(&doc.text, r.end, enc);
                                    let (a, b) = (a.min(b), a.max(b));
                                    let mut t = std::mem::take(&mut doc.text);
                                    t.replace_range(a..b, &c.text);
                                    t
                                }
                                None => c.text,
                            };
                            doc.set_text(new, &self.limits);
                        }
                        doc.version = p.text_document.version;
                        self.changed(&uri, true, false);
                    }
                }
            }
            "textDocument/didSave" => {
                if let Ok(p) = serde_json::from_value::<lt::DidSaveTextDocumentParams>(n.params) {
                    self.changed(p.text_document.uri.as_str(), false, true);
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<lt::DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri.as_str().to_string();
                    self.changed(&uri, true, false);
                    if let Some(doc) = self.docs.remove(&uri) {
                        self.dirty_oversize.remove(&uri);
                        // A rule file keeps its diagnostics while it is
                        // part of its folder on disk.
                        let on_disk = doc.path.as_ref().is_some_and(|p| p.is_file());
                        if doc.kind != Kind::Rules || doc.oversize || !on_disk {
                            self.dirty_cases.remove(&uri);
                            // Its diagnostics go with it.
                            self.published.remove(&uri);
                            let _ = self.notify(
                                "textDocument/publishDiagnostics",
                                json!({ "uri": uri, "diagnostics": [] }),
                            );
                        }
                    }
                }
            }
            "workspace/didChangeWatchedFiles" => {
                // Files changed on disk: analyse every folder again.
                for st in self.folders.values_mut() {
                    st.generation += 1;
                    st.wants_lint = true;
                    st.owed = true;
                }
                self.cases_changed();
            }
            _ => {}
        }
    }

    /// Every case file's diagnostics are out of date (they may use rules
    /// that changed).
    fn cases_changed(&mut self) {
        for (uri, d) in &mut self.docs {
            if matches!(d.kind, Kind::Case { .. }) {
                d.generation += 1;
                self.dirty_cases.insert(uri.clone());
            }
        }
    }

    /// A document changed (`text`: its text, or it was opened or closed)
    /// or was saved; `lint`: lint its folder (opened, saved).
    fn changed(&mut self, uri: &str, text: bool, lint: bool) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        if doc.oversize {
            self.dirty_oversize.insert(uri.to_string());
        }
        match doc.kind {
            Kind::Rules => {
                let key = folder_key(uri, doc);
                let st = self.folders.entry(key).or_default();
                if text {
                    st.generation += 1;
                }
                st.wants_lint |= lint;
                st.owed = true;
                if text {
                    self.cases_changed();
                }
            }
            Kind::Case { .. } => {
                doc.generation += 1;
                if !doc.oversize {
                    self.dirty_cases.insert(uri.to_string());
                }
            }
            Kind::Other => {}
        }
    }

    /// A folder checked: the latest analysis to answer from, unless a newer
    /// one came back first.
    fn checked(&mut self, key: FolderKey, generation: u64, mut folder: RuleFolder) {
        let Some(st) = self.folders.get_mut(&key) else {
            return;
        };
        if st.current.is_some() && generation <= st.current_generation {
            return;
        }
        if let Some(prev) = &st.current {
            folder.keep_lints_of(prev);
        }
        st.current = Some(Arc::new(folder));
        st.current_generation = generation;
    }

    /// A folder linted: its warnings replace the carried ones, when they
    /// are of the analysis answered from; stale ones are dropped.
    fn linted(&mut self, key: &FolderKey, generation: u64, lints: Vec<Diagnostic>) {
        let Some(st) = self.folders.get_mut(key) else {
            return;
        };
        if st.linting == Some(generation) {
            st.linting = None;
        }
        if st.current_generation != generation {
            return;
        }
        let Some(cur) = &st.current else { return };
        let mut f = RuleFolder::clone(cur);
        f.lints = lints;
        f.linted = true;
        f.carried = false;
        st.current = Some(Arc::new(f));
    }

    /// A case file's diagnostics: sent if they are of its text and rules as
    /// they are now.
    fn cased(&mut self, uri: &str, generation: u64, diags: Vec<lt::Diagnostic>) -> Result<(), LspError> {
        let live = self
            .docs
            .get(uri)
            .is_some_and(|d| d.generation == generation && !d.oversize);
        if live && !self.shutdown {
            self.send_diagnostics(uri, diags)?;
        }
        Ok(())
    }

    /// The overlays of a folder's open rule files.
    fn overlays(&self, key: &FolderKey) -> Vec<Overlay> {
        self.docs
            .iter()
            .filter(|(u, d)| d.kind == Kind::Rules && folder_key(u, d) == *key)
            .map(|(u, d)| Overlay {
                uri: u.clone(),
                path: d.path.clone(),
                text: (!d.oversize).then(|| d.text.clone()),
            })
            .collect()
    }

    /// Start what the events since the last call call for: analyses of
    /// folders out of date, lints wanted, case files' diagnostics; and send
    /// the diagnostics that are ready.
    fn schedule(&mut self) -> Result<(), LspError> {
        if self.shutdown {
            return Ok(());
        }
        for uri in std::mem::take(&mut self.dirty_oversize) {
            let Some(doc) = self.docs.get(&uri) else { continue };
            if doc.oversize {
                let d = Diagnostic::bare(
                    "too-large",
                    format!(
                        "this buffer is longer than {}, so it was not checked",
                        crate::inputs::describe_bytes(self.limits.max_file_bytes)
                    ),
                )
                .with_help("a case or rule file is a few kilobytes; is this the right file? `mtus lsp --max-file-bytes N` raises the limit");
                self.send_diagnostics(&uri, vec![bare_diagnostic(&d)])?;
            }
        }
        // Case files: against their workspace's rules once those are
        // analysed, else the built-in rules.
        let cases: Vec<String> = self.dirty_cases.iter().cloned().collect();
        for uri in cases {
            let Some(doc) = self.docs.get(&uri) else {
                self.dirty_cases.remove(&uri);
                continue;
            };
            let Kind::Case { json } = doc.kind else {
                self.dirty_cases.remove(&uri);
                continue;
            };
            let dir = doc
                .path
                .as_deref()
                .and_then(|p| p.parent())
                .and_then(workspace::find_rules_dir);
            let rules = match &dir {
                Some(dir) => {
                    let st = self.folders.entry(FolderKey::Dir(dir.clone())).or_default();
                    if st.generation == 0 {
                        st.generation = 1;
                    }
                    if !st.fresh() {
                        // Waits for the folder's analysis.
                        continue;
                    }
                    CaseRules::Folder(st.current.clone(), dir.clone())
                }
                None => CaseRules::Builtin(self.builtin.clone()),
            };
            self.dirty_cases.remove(&uri);
            let job = CaseJob {
                uri: uri.clone(),
                name: doc.path.as_ref().map_or(uri.clone(), |p| p.display().to_string()),
                text: doc.text.clone(),
                json,
                generation: doc.generation,
                limits: self.limits,
                enc: self.enc,
                rules,
            };
            self.checker.submit(format!("case:{uri}"), Box::new(move || job.run()));
        }
        // Folders out of date: analysed again.
        let keys: Vec<FolderKey> = self.folders.keys().cloned().collect();
        for key in &keys {
            let overlays = self.overlays(key);
            let limits = self.limits;
            let Some(st) = self.folders.get_mut(key) else { continue };
            if st.generation > st.submitted {
                st.submitted = st.generation;
                let generation = st.generation;
                let k = key.clone();
                self.checker.submit(
                    key.job(),
                    Box::new(move || {
                        let dir = match &k {
                            FolderKey::Dir(d) => Some(d.as_path()),
                            FolderKey::Alone(_) => None,
                        };
                        let folder = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            workspace::analyze(dir, &overlays, &limits)
                        }))
                        .unwrap_or_else(|_| workspace::failed("checking the rules"));
                        Event::Checked {
                            key: k,
                            generation,
                            folder: Box::new(folder),
                        }
                    }),
                );
            }
        }
        // Folders up to date: linted if asked, their diagnostics sent.
        for key in keys {
            let Some(st) = self.folders.get_mut(&key) else { continue };
            if !st.fresh() {
                continue;
            }
            let Some(cur) = st.current.clone() else { continue };
            if st.wants_lint {
                st.wants_lint = false;
                if cur.rules.is_some() {
                    let generation = st.current_generation;
                    st.linting = Some(generation);
                    let k = key.clone();
                    self.linter.submit(
                        key.job(),
                        Box::new(move || {
                            let lints = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cur.lint()))
                                .unwrap_or(None)
                                .unwrap_or_default();
                            Event::Linted {
                                key: k,
                                generation,
                                lints,
                            }
                        }),
                    );
                    continue;
                }
            }
            if st.linting == Some(st.current_generation) || !st.owed {
                // Sent with the lint warnings.
                continue;
            }
            st.owed = false;
            self.publish_folder(&cur)?;
        }
        Ok(())
    }
}

fn to_value(v: impl serde::Serialize) -> Answer {
    serde_json::to_value(v).map_err(|e| (INTERNAL_ERROR, e.to_string()))
}

fn folder_key(uri: &str, doc: &Document) -> FolderKey {
    match doc.path.as_deref().and_then(|p| p.parent()) {
        Some(dir) => FolderKey::Dir(dir.to_path_buf()),
        None => FolderKey::Alone(uri.to_string()),
    }
}

fn kind_of(path: Option<&std::path::Path>, uri: &str, language: &str) -> Kind {
    let by_name = |p: &std::path::Path| {
        if workspace::is_rule_file(p) {
            Some(Kind::Rules)
        } else if workspace::is_case_file(p) {
            Some(Kind::Case {
                json: p.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")),
            })
        } else {
            None
        }
    };
    path.and_then(by_name)
        .or_else(|| by_name(std::path::Path::new(uri)))
        .unwrap_or(match language {
            "mtus" => Kind::Rules,
            "yaml" => Kind::Case { json: false },
            "json" => Kind::Case { json: true },
            _ => Kind::Other,
        })
}
