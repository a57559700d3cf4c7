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
pub mod hover;
pub mod index;
pub mod symbols;
pub mod text;
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

/// What the reader thread hands the server.
enum Incoming {
    Message(Message),
    /// A message that is not JSON-RPC: answered with this error.
    Invalid {
        id: Value,
        code: i32,
        message: String,
    },
    /// The stream cannot be read any more.
    Broken(String),
}

/// Read one `Content-Length` framed message body. `Ok(None)` at the end of
/// the input.
fn read_frame(r: &mut impl BufRead) -> Result<Option<Vec<u8>>, String> {
    let mut length: Option<usize> = None;
    let mut first = true;
    loop {
        let mut line = Vec::new();
        let n = r
            .by_ref()
            .take(MAX_HEADER_BYTES)
            .read_until(b'\n', &mut line)
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return if first {
                Ok(None)
            } else {
                Err("the input ended inside a message header".into())
            };
        }
        first = false;
        if !line.ends_with(b"\n") {
            return Err("a message header line is too long".into());
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                let v = value.trim();
                length = Some(v.parse().map_err(|_| format!("Content-Length `{v}` is not a number"))?);
            }
        } else {
            return Err(format!("malformed message header `{line}`"));
        }
    }
    let length = length.ok_or("a message has no Content-Length header")?;
    if length > MAX_MESSAGE_BYTES {
        return Err(format!(
            "a message of {length} bytes is larger than the limit of {MAX_MESSAGE_BYTES}"
        ));
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body)
        .map_err(|e| format!("the input ended inside a message: {e}"))?;
    Ok(Some(body))
}

fn classify(body: &[u8]) -> Option<Incoming> {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Some(Incoming::Invalid {
                id: Value::Null,
                code: PARSE_ERROR,
                message: format!("the message is not JSON: {e}"),
            });
        }
    };
    match serde_json::from_value::<Message>(v.clone()) {
        Ok(m) => Some(Incoming::Message(m)),
        Err(e) => {
            let id = match v.get("id") {
                Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
                _ => Value::Null,
            };
            // A notification that is not one gets no answer.
            if id.is_null() && v.get("method").is_some() {
                return None;
            }
            Some(Incoming::Invalid {
                id,
                code: INVALID_REQUEST,
                message: format!("not a JSON-RPC request, response or notification: {e}"),
            })
        }
    }
}

fn write_frame(w: &mut impl Write, body: &str) -> std::io::Result<()> {
    write!(w, "Content-Length: {}\r\n\r\n", body.len())?;
    w.write_all(body.as_bytes())?;
    w.flush()
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

type Job = Box<dyn FnOnce() -> Event + Send>;

#[derive(Default)]
struct Queue {
    jobs: BTreeMap<String, Job>,
    stop: bool,
}

/// A thread that runs jobs one at a time, off the main loop. A job given
/// under a key replaces the one waiting under that key (not one that
/// runs): an edit supersedes the analysis of the edit before it.
struct Worker {
    queue: Arc<(Mutex<Queue>, Condvar)>,
}

fn lock(m: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Worker {
    fn spawn(name: &str, tx: Sender<Event>) -> Worker {
        let queue: Arc<(Mutex<Queue>, Condvar)> = Arc::default();
        let q = queue.clone();
        let run = move || {
            loop {
                let job = {
                    let (m, cv) = &*q;
                    let mut g = lock(m);
                    loop {
                        if g.stop {
                            return;
                        }
                        if let Some((_, job)) = g.jobs.pop_first() {
                            break job;
                        }
                        g = cv.wait(g).unwrap_or_else(std::sync::PoisonError::into_inner);
                    }
                };
                // A job that panics (a bug) is lost, not the worker: each
                // job catches what it can answer for itself.
                if let Ok(event) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
                    if tx.send(event).is_err() {
                        return;
                    }
                }
            }
        };
        // Without a thread the jobs never run; the server then answers
        // requests and publishes nothing, rather than stopping.
        let _ = std::thread::Builder::new().name(name.into()).spawn(run);
        Worker { queue }
    }

    fn submit(&self, key: String, job: Job) {
        let (m, cv) = &*self.queue;
        lock(m).jobs.insert(key, job);
        cv.notify_one();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let (m, cv) = &*self.queue;
        lock(m).stop = true;
        cv.notify_all();
    }
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

    fn send_diagnostics(&mut self, uri: &str, diags: Vec<lt::Diagnostic>) -> Result<(), LspError> {
        if diags.is_empty() {
            if !self.published.remove(uri) && !self.docs.contains_key(uri) {
                return Ok(());
            }
        } else {
            self.published.insert(uri.to_string());
        }
        let version = self.docs.get(uri).map(|d| d.version);
        self.notify(
            "textDocument/publishDiagnostics",
            json!({ "uri": uri, "diagnostics": diags, "version": version }),
        )
    }

    fn publish_folder(&mut self, f: &RuleFolder) -> Result<(), LspError> {
        let mut by_file: BTreeMap<String, Vec<lt::Diagnostic>> = BTreeMap::new();
        let shown = |d: &Document| !d.oversize;
        let open: Vec<String> = f
            .files
            .iter()
            .filter(|x| x.is_users() && self.docs.get(&x.uri).is_some_and(shown))
            .map(|x| x.uri.clone())
            .collect();
        for file in f.files.iter().filter(|x| x.is_users()) {
            if self.published.contains(&file.uri) || self.docs.contains_key(&file.uri) {
                by_file.entry(file.uri.clone()).or_default();
            }
        }
        for d in f.all_diagnostics() {
            match d.span.and_then(|s| f.file(s.file)).filter(|file| file.is_users()) {
                Some(file) => by_file
                    .entry(file.uri.clone())
                    .or_default()
                    .push(rule_diagnostic(f, d, self.enc)),
                // No place (or in a built-in file): shown at the top of
                // every open file of the folder.
                None => {
                    for u in &open {
                        by_file.entry(u.clone()).or_default().push(bare_diagnostic(d));
                    }
                }
            }
        }
        for (uri, diags) in by_file {
            self.send_diagnostics(&uri, diags)?;
        }
        Ok(())
    }

    /// The latest analysis of an open rule file's folder, the file's id in
    /// it and the byte offset of a position (in that analysis's text of
    /// the file: it may be a moment older than the buffer).
    fn locate(&self, uri: &lt::Uri, pos: lt::Position) -> Option<(Arc<RuleFolder>, crate::diag::FileId, usize)> {
        let uri = uri.as_str();
        let doc = self.docs.get(uri)?;
        if doc.kind != Kind::Rules || doc.oversize {
            return None;
        }
        let key = folder_key(uri, doc);
        let f = self.folders.get(&key)?.current.clone()?;
        let file = f.file_of_uri(uri)?;
        let offset = file.lines.offset(f.text(file.id), pos, self.enc);
        let id = file.id;
        Some((f, id, offset))
    }

    fn location(&self, f: &RuleFolder, span: crate::diag::Span) -> Option<lt::Location> {
        let file = f.file(span.file).filter(|x| x.is_users())?;
        Some(lt::Location {
            uri: file.uri.parse().ok()?,
            range: file
                .lines
                .range(f.text(span.file), span.start as usize, span.end as usize, self.enc),
        })
    }

    /// The rules a case file is read with, when they are at hand (its
    /// workspace's, analysed and checking; else the built-in ones, loaded).
    fn case_rules(&self, doc: &Document) -> Option<Arc<RuleSet>> {
        let dir = doc
            .path
            .as_deref()
            .and_then(|p| p.parent())
            .and_then(workspace::find_rules_dir);
        match dir {
            Some(dir) => self.folders.get(&FolderKey::Dir(dir))?.current.as_ref()?.rules.clone(),
            None => match self.builtin.get()? {
                Ok(rs) => Some(rs.clone()),
                Err(_) => None,
            },
        }
    }

    fn case_hover(&self, uri: &str, pos: lt::Position) -> Answer {
        let Some(doc) = self.docs.get(uri).filter(|d| !d.oversize) else {
            return Ok(Value::Null);
        };
        let Some(rules) = self.case_rules(doc) else {
            return Ok(Value::Null);
        };
        let offset = doc.lines.offset(&doc.text, pos, self.enc);
        let Some((markdown, start, end)) = case::hover(&rules, &doc.text, offset) else {
            return Ok(Value::Null);
        };
        to_value(lt::Hover {
            contents: lt::HoverContents::Markup(lt::MarkupContent {
                kind: lt::MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(doc.lines.range(&doc.text, start, end, self.enc)),
        })
    }

    fn is_case(&self, uri: &lt::Uri) -> bool {
        self.docs
            .get(uri.as_str())
            .is_some_and(|d| matches!(d.kind, Kind::Case { json: false }))
    }

    fn hover(&mut self, p: lt::HoverParams) -> Answer {
        let tdp = p.text_document_position_params;
        if self.is_case(&tdp.text_document.uri) {
            return self.case_hover(tdp.text_document.uri.as_str(), tdp.position);
        }
        let Some((f, id, offset)) = self.locate(&tdp.text_document.uri, tdp.position) else {
            return Ok(Value::Null);
        };
        let Some(occ) = f.index.at(id, offset) else {
            return Ok(Value::Null);
        };
        let Some(markdown) = hover::render(&f, &occ.symbol) else {
            return Ok(Value::Null);
        };
        let range = self.location(&f, occ.span).map(|l| l.range);
        to_value(lt::Hover {
            contents: lt::HoverContents::Markup(lt::MarkupContent {
                kind: lt::MarkupKind::Markdown,
                value: markdown,
            }),
            range,
        })
    }

    fn definition(&mut self, p: lt::GotoDefinitionParams) -> Answer {
        let tdp = p.text_document_position_params;
        let Some((f, id, offset)) = self.locate(&tdp.text_document.uri, tdp.position) else {
            return Ok(Value::Null);
        };
        let Some(def) = f.index.at(id, offset).and_then(|o| f.index.definition(&o.symbol)) else {
            return Ok(Value::Null);
        };
        match self.location(&f, def.span) {
            Some(l) => to_value(lt::GotoDefinitionResponse::Scalar(l)),
            None => Ok(Value::Null),
        }
    }

    fn references(&mut self, p: lt::ReferenceParams) -> Answer {
        let tdp = p.text_document_position;
        let Some((f, id, offset)) = self.locate(&tdp.text_document.uri, tdp.position) else {
            return Ok(Value::Null);
        };
        let Some(occ) = f.index.at(id, offset) else {
            return Ok(Value::Null);
        };
        let with_decl = p.context.include_declaration;
        let locations: Vec<lt::Location> = f
            .index
            .references(&occ.symbol)
            .filter(|o| with_decl || !o.def)
            .filter_map(|o| self.location(&f, o.span))
            .collect();
        to_value(locations)
    }

    fn completion(&mut self, p: lt::CompletionParams) -> Answer {
        let tdp = p.text_document_position;
        let uri = tdp.text_document.uri.as_str();
        if self.is_case(&tdp.text_document.uri) {
            let Some(doc) = self.docs.get(uri).filter(|d| !d.oversize) else {
                return Ok(Value::Null);
            };
            let Some(rules) = self.case_rules(doc) else {
                return Ok(Value::Null);
            };
            let offset = doc.lines.offset(&doc.text, tdp.position, self.enc);
            return to_value(lt::CompletionResponse::List(lt::CompletionList {
                is_incomplete: false,
                items: case::complete(&rules, &doc.text, offset),
            }));
        }
        // The buffer as it is now (the analysis may be a keystroke older:
        // the `.` just typed is in the buffer, maybe not in the analysis).
        let Some(doc) = self.docs.get(uri).filter(|d| d.kind == Kind::Rules && !d.oversize) else {
            return Ok(Value::Null);
        };
        let Some(f) = self
            .folders
            .get(&folder_key(uri, doc))
            .and_then(|st| st.current.clone())
        else {
            return Ok(Value::Null);
        };
        let offset = doc.lines.offset(&doc.text, tdp.position, self.enc);
        let items = completion::complete(&f, &doc.text, offset);
        to_value(lt::CompletionResponse::List(lt::CompletionList {
            is_incomplete: false,
            items,
        }))
    }

    fn formatting(&mut self, p: lt::DocumentFormattingParams) -> Answer {
        let Some(doc) = self.docs.get(p.text_document.uri.as_str()) else {
            return Err((INVALID_PARAMS, "the document is not open".into()));
        };
        if doc.kind != Kind::Rules || doc.oversize {
            return Ok(Value::Null);
        }
        match crate::format::format_source(crate::diag::FileId(0), &doc.text) {
            Ok(new) if new == doc.text => to_value(Vec::<lt::TextEdit>::new()),
            Ok(new) => {
                let range = doc.lines.range(&doc.text, 0, doc.text.len(), self.enc);
                to_value(vec![lt::TextEdit { range, new_text: new }])
            }
            // The syntax errors are already shown; format-on-save must not
            // pop up an error for them.
            Err(crate::format::FormatError::Syntax(_)) => to_value(Vec::<lt::TextEdit>::new()),
            Err(e @ crate::format::FormatError::Internal(_)) => Err((REQUEST_FAILED, e.to_string())),
        }
    }

    fn document_symbol(&mut self, p: lt::DocumentSymbolParams) -> Answer {
        let uri = p.text_document.uri;
        let Some(doc) = self.docs.get(uri.as_str()).filter(|d| !d.oversize) else {
            return Ok(Value::Null);
        };
        let symbols = match doc.kind {
            Kind::Case { json: false } => symbols::case_outline(&doc.text, &doc.lines, self.enc),
            Kind::Rules => match self.locate(&uri, lt::Position::default()) {
                Some((f, id, _)) => symbols::rule_outline(&f, id, self.enc),
                None => return Ok(Value::Null),
            },
            _ => return Ok(Value::Null),
        };
        to_value(lt::DocumentSymbolResponse::Nested(symbols))
    }

    /// A case file's lenses: `mtus test` on the file, `mtus explain` on
    /// each request. Each is a command `mtus.run` whose one argument is
    /// the command line to run (`["mtus", "explain", ...]`), with the rules
    /// the server checks the case with (`--rules DIR` or `--builtin-rules`).
    fn code_lens(&mut self, p: lt::CodeLensParams) -> Answer {
        let uri = p.text_document.uri;
        let Some(doc) = self.docs.get(uri.as_str()).filter(|d| !d.oversize) else {
            return Ok(Value::Null);
        };
        let (Kind::Case { json: false }, Some(path)) = (doc.kind, doc.path.as_ref()) else {
            return to_value(Vec::<lt::CodeLens>::new());
        };
        let file = path.display().to_string();
        let rules: Vec<String> = match path.parent().and_then(workspace::find_rules_dir) {
            Some(dir) => vec!["--rules".into(), dir.display().to_string()],
            None => vec!["--builtin-rules".into()],
        };
        let lens = |title: String, at: lt::Range, args: Vec<String>| {
            let mut argv: Vec<String> = vec!["mtus".into()];
            argv.extend(args);
            lt::CodeLens {
                range: at,
                command: Some(lt::Command {
                    title,
                    command: "mtus.run".into(),
                    arguments: Some(vec![json!(argv)]),
                }),
                data: None,
            }
        };
        let mut lenses = Vec::new();
        let top = doc.lines.range(&doc.text, 0, 0, self.enc);
        let mut test = vec!["test".to_string()];
        test.extend(rules.iter().cloned());
        test.push(file.clone());
        lenses.push(lens("mtus test".into(), top, test));
        for r in symbols::case_requests(&doc.text) {
            let mut args = vec!["explain".to_string()];
            args.extend(rules.iter().cloned());
            args.extend([file.clone(), r.id.clone()]);
            let at = doc.lines.range(&doc.text, r.id_start, r.id_end, self.enc);
            lenses.push(lens(format!("mtus explain {}", r.id), at, args));
        }
        to_value(lenses)
    }

    fn code_action(&mut self, p: lt::CodeActionParams) -> Answer {
        let uri = p.text_document.uri.clone();
        let Some((f, id, start)) = self.locate(&uri, p.range.start) else {
            return Ok(Value::Null);
        };
        let end = f
            .file(id)
            .map_or(start, |file| file.lines.offset(f.text(id), p.range.end, self.enc));
        let actions = actions::actions(&f, id, start, end.max(start), self.enc, &uri);
        to_value(actions)
    }
}

/// Where a case file's rules come from.
enum CaseRules {
    /// The analysis of its workspace's rule folder.
    Folder(Option<Arc<RuleFolder>>, PathBuf),
    Builtin(Builtin),
}

/// A case file to load against its rules, on a worker.
struct CaseJob {
    uri: String,
    name: String,
    text: String,
    json: bool,
    generation: u64,
    limits: Limits,
    enc: Encoding,
    rules: CaseRules,
}

impl CaseJob {
    fn run(self) -> Event {
        let diags =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.diagnostics())).unwrap_or_else(|_| {
                vec![bare_diagnostic(&Diagnostic::bare(
                    "internal",
                    "mtus failed while loading this case (a bug; please report it with the file)",
                ))]
            });
        Event::Cased {
            uri: self.uri,
            generation: self.generation,
            diags,
        }
    }

    fn diagnostics(&self) -> Vec<lt::Diagnostic> {
        let diags = match &self.rules {
            CaseRules::Folder(f, dir) => match f.as_ref().and_then(|f| f.rules.as_ref()) {
                Some(rs) => workspace::case_diagnostics(rs, &self.name, &self.text, self.json, &self.limits),
                None => vec![
                    Diagnostic::bare(
                        "rules-do-not-check",
                        format!(
                            "the rules in {} have errors, so this case was not checked against them",
                            dir.display()
                        ),
                    )
                    .with_help("fix the rule files first (their errors are shown in them)"),
                ],
            },
            CaseRules::Builtin(b) => match load_builtin(b) {
                Ok(rs) => workspace::case_diagnostics(rs, &self.name, &self.text, self.json, &self.limits),
                Err(e) => vec![Diagnostic::bare("rules-do-not-check", e.clone())],
            },
        };
        let lines = LineIndex::new(&self.text);
        diags
            .iter()
            .map(|d| {
                let mut out = bare_diagnostic(d);
                if let Some(s) = d.span {
                    out.range = lines.range(&self.text, s.start as usize, s.end as usize, self.enc);
                }
                out
            })
            .collect()
    }
}

/// A diagnostic of a rule folder, placed in its file.
pub(crate) fn rule_diagnostic(f: &RuleFolder, d: &Diagnostic, enc: Encoding) -> lt::Diagnostic {
    let range = |s: crate::diag::Span| {
        f.file(s.file).map_or_else(lt::Range::default, |file| {
            file.lines.range(f.text(s.file), s.start as usize, s.end as usize, enc)
        })
    };
    let mut out = bare_diagnostic(d);
    if let Some(s) = d.span {
        out.range = range(s);
    }
    let related: Vec<lt::DiagnosticRelatedInformation> = d
        .notes
        .iter()
        .filter_map(|(s, note)| {
            let file = f.file(s.file)?;
            Some(lt::DiagnosticRelatedInformation {
                location: lt::Location {
                    uri: file.uri.parse().ok()?,
                    range: range(*s),
                },
                message: note.clone(),
            })
        })
        .collect();
    if !related.is_empty() {
        out.related_information = Some(related);
    }
    out
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

/// A diagnostic with no place, at the top of a file; the message and the
/// help in one text, the code as the checker names it.
fn bare_diagnostic(d: &Diagnostic) -> lt::Diagnostic {
    let message = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    lt::Diagnostic {
        range: lt::Range::default(),
        severity: Some(match d.severity {
            Severity::Error => lt::DiagnosticSeverity::ERROR,
            Severity::Warning => lt::DiagnosticSeverity::WARNING,
        }),
        code: Some(lt::NumberOrString::String(d.code.to_string())),
        source: Some("mtus".into()),
        message,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Result<Option<Vec<u8>>, String>> {
        let mut r = std::io::BufReader::new(input);
        let mut out = Vec::new();
        loop {
            let f = read_frame(&mut r);
            let stop = !matches!(f, Ok(Some(_)));
            out.push(f);
            if stop {
                return out;
            }
        }
    }

    #[test]
    fn frames_are_read_by_content_length_whatever_the_header_case() {
        let got = frames(b"Content-Length: 2\r\n\r\n{}content-length:3\r\nContent-Type: x\r\n\r\n[1]");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].as_ref().ok().cloned().flatten().as_deref(), Some(&b"{}"[..]));
        assert_eq!(got[1].as_ref().ok().cloned().flatten().as_deref(), Some(&b"[1]"[..]));
        assert_eq!(got[2], Ok(None));
    }

    #[test]
    fn broken_frames_are_errors_not_panics_nor_huge_allocations() {
        for bad in [
            &b"Content-Length: 99999999999999999999\r\n\r\n"[..],
            b"Content-Length: 1000000000000\r\n\r\n",
            b"Content-Length: x\r\n\r\n",
            b"no colon here\r\n\r\n",
            b"Content-Type: y\r\n\r\n{}",
            b"Content-Length: 10\r\n\r\n{}",
            b"Content-Length: 2\r\n",
        ] {
            let got = frames(bad);
            assert!(
                matches!(got.last(), Some(Err(_))),
                "{:?}: {got:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let long = vec![b'a'; 20_000];
        assert!(matches!(frames(&long).last(), Some(Err(_))));
    }

    #[test]
    fn bodies_that_are_not_messages_get_errors() {
        let code = |body: &str| match classify(body.as_bytes()) {
            Some(Incoming::Invalid { id, code, .. }) => Some((id, code)),
            Some(Incoming::Message(_)) => None,
            _ => Some((Value::Bool(false), 0)),
        };
        assert_eq!(code("{not json"), Some((Value::Null, PARSE_ERROR)));
        assert_eq!(code("[1, 2]"), Some((Value::Null, INVALID_REQUEST)));
        assert_eq!(code(r#"{"id": 4, "method": 7}"#), Some((json!(4), INVALID_REQUEST)));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#), None);
        // A notification that is not one is dropped, not answered.
        assert!(classify(br#"{"method": 7}"#).is_none());
    }

    #[test]
    fn a_session_without_a_client_ends() {
        let out: Vec<u8> = Vec::new();
        let input = std::io::Cursor::new(b"Content-Length: 5\r\n\r\n{bad}".to_vec());
        let ending = serve(input, out, Limits::default());
        assert!(matches!(ending, Ok(Ending::Abrupt)), "{ending:?}");
    }
}
