//! `mtus lsp` driven the way an editor drives it: the real binary, JSON-RPC
//! messages with Content-Length framing on its standard input and output.
//! Every answer is snapshotted with the temporary folder's path replaced by
//! `[TMP]`. A server that hangs fails the test (every read has a timeout).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(120);

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    stash: Vec<Value>,
    tmp: String,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    fn start(tmp: &Path) -> Client {
        Client::start_with(tmp, &[])
    }

    /// With global options before `lsp` (`--max-file-bytes N`).
    fn start_with(tmp: &Path, options: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mtus"))
            .args(options)
            .arg("lsp")
            .current_dir(tmp)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start mtus lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_message(&mut r) {
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next_id: 1,
            stash: Vec::new(),
            tmp: tmp.display().to_string(),
        }
    }

    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, v: &Value) {
        self.send_raw(&v.to_string());
    }

    fn recv(&mut self, what: &str) -> Value {
        match self.rx.recv_timeout(TIMEOUT) {
            Ok(v) => v,
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }

    /// Send a request; its response (result or error), with the paths
    /// redacted.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let v = self.recv(method);
            if v.get("id") == Some(&json!(id)) {
                return self.redact(&v);
            }
            self.stash.push(v);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Send a request without waiting for its answer; its id.
    fn request_later(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// The next message, stashed or read.
    fn next_message(&mut self, what: &str) -> Value {
        if !self.stash.is_empty() {
            return self.stash.remove(0);
        }
        self.recv(what)
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        let is_it = |v: &Value| v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri;
        if let Some(i) = self.stash.iter().position(is_it) {
            let v = self.stash.remove(i);
            return self.redact(&v["params"]);
        }
        loop {
            let v = self.recv("diagnostics");
            if is_it(&v) {
                return self.redact(&v["params"]);
            }
            self.stash.push(v);
        }
    }

    fn redact(&self, v: &Value) -> Value {
        let text = v.to_string().replace(&self.tmp, "[TMP]");
        serde_json::from_str(&text).expect("json")
    }

    /// `shutdown` then `exit`: the process must end with status 0.
    fn finish(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "mtus lsp exited with {status}");
                return;
            }
            assert!(start.elapsed() < TIMEOUT, "mtus lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_rules(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp");
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "mtus") {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// The LSP position (UTF-16 columns) of the `nth` (0-based) occurrence of
/// `needle` in `text`, moved `delta` bytes.
fn pos(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} not in the text"))
        .0
        + delta;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count();
    let character: usize = text[line_start..at].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

fn initialize(c: &mut Client, utf8: bool) -> Value {
    let caps = if utf8 {
        json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } })
    } else {
        json!({})
    };
    let r = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": caps }),
    );
    c.notify("initialized", json!({}));
    r
}

fn tmpdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The canonical path: what a client sends (no symlinked /tmp).
fn canonical(t: &tempfile::TempDir) -> PathBuf {
    std::fs::canonicalize(t.path()).unwrap()
}

#[test]
fn a_rule_file_edited_in_an_editor() {
    let t = tmpdir();
    let root = canonical(&t);
    let rules = root.join("rules");
    copy_rules(&rules);
    let mut c = Client::start(&root);
    let init = initialize(&mut c, false);
    insta::assert_snapshot!("initialize", pretty(&init));

    let path = rules.join("massage.mtus");
    let u = uri(&path);
    let mut text = std::fs::read_to_string(&path).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": u, "languageId": "mtus", "version": 1, "text": text } }),
    );
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"], json!([]), "the test rules are clean: {d}");

    // Misspell a fact: an error as you type, with the checker's code.
    let at = pos(&text, "request.quantity <=", 1, "request.quanti".len());
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 },
                "contentChanges": [{ "range": { "start": at, "end": at }, "text": "i" }] }),
    );
    text = text.replacen("else request.quantity", "else request.quantiity", 1);
    let d = c.diagnostics(&u);
    insta::assert_snapshot!("typo_diagnostics", pretty(&d));
    assert_eq!(d["diagnostics"][0]["code"], "unknown-fact");

    // The quick fix the checker's "did you mean" gives.
    let range = d["diagnostics"][0]["range"].clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": u }, "range": range,
                "context": { "diagnostics": d["diagnostics"] } }),
    );
    insta::assert_snapshot!("typo_code_action", pretty(&actions));

    // Fixed: the error goes away.
    let start = pos(&text, "quantiity", 0, 0);
    let end = pos(&text, "quantiity", 0, "quantiity".len());
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 3 },
                "contentChanges": [{ "range": { "start": start, "end": end }, "text": "quantity" }] }),
    );
    text = text.replacen("quantiity", "quantity", 1);
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"], json!([]), "{d}");

    let hover = |c: &mut Client, needle: &str, nth: usize| {
        c.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": u }, "position": pos(&text, needle, nth, 2) }),
        )
    };
    insta::assert_snapshot!(
        "hover_fact_request_quantity",
        pretty(&hover(&mut c, "request.quantity", 0))
    );
    insta::assert_snapshot!("hover_fact_prior_visits", pretty(&hover(&mut c, "prior.visits", 0)));
    insta::assert_snapshot!("hover_const", pretty(&hover(&mut c, "massage_visit_limit", 1)));
    insta::assert_snapshot!("hover_treatment", pretty(&hover(&mut c, "massage_therapy\n", 0)));
    insta::assert_snapshot!("hover_class", pretty(&hover(&mut c, "muscle_relaxant\n", 0)));
    insta::assert_snapshot!("hover_source", pretty(&hover(&mut c, "MTUS-CPMTG", 0)));
    insta::assert_snapshot!("hover_value", pretty(&hover(&mut c, "chronic\n", 0)));
    insta::assert_snapshot!("hover_criterion", pretty(&hover(&mut c, "visit_limit \"", 0)));
    let nothing = hover(&mut c, "No more than", 0);
    assert_eq!(nothing["result"], Value::Null, "{nothing}");

    // Definition: the constant here, the fact in facts.mtus.
    let def = |c: &mut Client, needle: &str, nth: usize| {
        c.request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": u }, "position": pos(&text, needle, nth, 1) }),
        )
    };
    insta::assert_snapshot!("definition_const", pretty(&def(&mut c, "massage_visit_limit", 2)));
    insta::assert_snapshot!("definition_fact", pretty(&def(&mut c, "prior.visits", 0)));
    insta::assert_snapshot!("definition_class", pretty(&def(&mut c, "muscle_relaxant\n", 0)));
    insta::assert_snapshot!("definition_value", pretty(&def(&mut c, "chronic\n", 0)));

    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": u }, "position": pos(&text, "massage_visit_limit", 0, 3),
                "context": { "includeDeclaration": true } }),
    );
    insta::assert_snapshot!("references_const", pretty(&refs));
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": u }, "position": pos(&text, "prior.received", 0, 3),
                "context": { "includeDeclaration": false } }),
    );
    assert_eq!(refs["result"].as_array().map(Vec::len), Some(1), "{refs}");

    // Completion after `request.` and `prior.`, typed on a new condition.
    let end_of_exclude = pos(&text, "request.intent == chronic", 0, "request.intent == chronic".len());
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 4 },
                "contentChanges": [{ "range": { "start": end_of_exclude, "end": end_of_exclude },
                                     "text": " and request." }] }),
    );
    text = text.replacen("request.intent == chronic", "request.intent == chronic and request.", 1);
    let _ = c.diagnostics(&u);
    let completion = |c: &mut Client, text: &str, needle: &str| {
        c.request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": u }, "position": pos(text, needle, 0, needle.len()) }),
        )
    };
    insta::assert_snapshot!("completion_request", pretty(&completion(&mut c, &text, "and request.")));
    insta::assert_snapshot!(
        "completion_prefix",
        pretty(&completion(&mut c, &text, "applies to mass"))
    );

    // A condition that starts a word: constants, treatments, keywords.
    let full = text.replacen("and request.", "and mass", 1);
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 5 }, "contentChanges": [{ "text": full }] }),
    );
    text = full;
    let _ = c.diagnostics(&u);
    insta::assert_snapshot!("completion_word", pretty(&completion(&mut c, &text, "and mass")));

    // Back to the file as it was, badly laid out: formatting fixes it.
    let messy = std::fs::read_to_string(&path)
        .unwrap()
        .replace("  applies to massage_therapy", "  applies to    massage_therapy")
        .replace("\n\nrule muscle_relaxants", "\n\n\n\nrule muscle_relaxants");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 6 }, "contentChanges": [{ "text": messy }] }),
    );
    let _ = c.diagnostics(&u);
    let fmt = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let edits = fmt["result"].as_array().expect("edits");
    assert_eq!(edits.len(), 1, "{fmt}");
    assert_eq!(
        edits[0]["newText"].as_str(),
        Some(std::fs::read_to_string(&path).unwrap().as_str()),
        "formatting gives the canonical layout"
    );
    insta::assert_snapshot!("formatting_range", pretty(&edits[0]["range"]));

    // A constant no rule uses: a lint warning once saved, with a quick fix.
    text = std::fs::read_to_string(&path).unwrap().replace(
        "\nrule massage_therapy",
        "const spare_limit = 3 visit \"not used yet\"\n\nrule massage_therapy",
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 7 }, "contentChanges": [{ "text": text }] }),
    );
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"], json!([]), "lints wait for a save: {d}");
    c.notify("textDocument/didSave", json!({ "textDocument": { "uri": u } }));
    let d = c.diagnostics(&u);
    insta::assert_snapshot!("lint_on_save", pretty(&d));
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": u }, "range": d["diagnostics"][0]["range"],
                "context": { "diagnostics": d["diagnostics"] } }),
    );
    insta::assert_snapshot!("lint_code_action", pretty(&actions));

    // A directive that silences nothing: the quick fix removes it.
    text = text.replace(
        "rule muscle_relaxants",
        "# lint: allow unused-const -- kept for the tests\nrule muscle_relaxants",
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 8 }, "contentChanges": [{ "text": text }] }),
    );
    let _ = c.diagnostics(&u);
    c.notify("textDocument/didSave", json!({ "textDocument": { "uri": u } }));
    let d = c.diagnostics(&u);
    let unused = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "unused-allow")
        .cloned()
        .unwrap_or_else(|| panic!("no unused-allow in {d}"));
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": u }, "range": unused["range"],
                "context": { "diagnostics": [unused] } }),
    );
    insta::assert_snapshot!("unused_allow_code_action", pretty(&actions));

    // Bad requests get errors, and the server goes on.
    let e = c.request("textDocument/hover", json!({ "textDocument": 7 }));
    assert_eq!(e["error"]["code"], -32602, "{e}");
    let e = c.request("textDocument/rename", json!({}));
    assert_eq!(e["error"]["code"], -32601, "{e}");
    c.send_raw("{not json");
    let e = c.recv("parse error");
    assert_eq!(e["error"]["code"], -32700, "{e}");
    assert_eq!(e["id"], Value::Null, "{e}");
    let far = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": 9999, "character": 9999 } }),
    );
    assert_eq!(far["result"], Value::Null, "{far}");
    c.finish();
}

/// Columns: UTF-16 code units by default, bytes when the client offers
/// UTF-8. A name after a character outside the BMP is found either way.
#[test]
fn positions_in_utf16_and_utf8() {
    for utf8 in [false, true] {
        let t = tmpdir();
        let root = canonical(&t);
        let rules = root.join("rules");
        copy_rules(&rules);
        let mut c = Client::start(&root);
        let init = initialize(&mut c, utf8);
        let want = if utf8 { "utf-8" } else { "utf-16" };
        assert_eq!(init["result"]["capabilities"]["positionEncoding"], want);
        let path = rules.join("catalog.mtus");
        let u = uri(&path);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"Cyclobenzaprine\"", "\"Cyclobenzaprine \u{1F48A} (\u{e9})\"");
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": u, "languageId": "mtus", "version": 1, "text": text } }),
        );
        let _ = c.diagnostics(&u);
        let at = text.find("muscle_relaxant\n").unwrap() + 3;
        let line_start = text[..at].rfind('\n').unwrap() + 1;
        let character: usize = if utf8 {
            at - line_start
        } else {
            text[line_start..at].chars().map(char::len_utf16).sum()
        };
        let line = text[..at].matches('\n').count();
        let def = c.request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": u }, "position": { "line": line, "character": character } }),
        );
        let r = &def["result"]["range"];
        assert_eq!(r["start"], json!({ "line": 1, "character": 6 }), "{def}");
        // A diagnostic after the emoji, in the encoding agreed.
        let broken = text.replace("class muscle_relaxant\n", "class muscle_relaxnt\n");
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "text": broken }] }),
        );
        let d = c.diagnostics(&u);
        let start = &d["diagnostics"][0]["range"]["start"];
        let at = broken.find("muscle_relaxnt").unwrap();
        let ls = broken[..at].rfind('\n').unwrap() + 1;
        let want = if utf8 {
            at - ls
        } else {
            broken[ls..at].chars().map(char::len_utf16).sum()
        };
        assert_eq!(start["character"], json!(want), "{d}");
        c.finish();
    }
}

#[test]
fn a_case_file_gets_the_loaders_diagnostics() {
    let t = tmpdir();
    let root = canonical(&t);
    copy_rules(&root.join("rules"));
    std::fs::create_dir_all(root.join("cases")).unwrap();
    let path = root.join("cases/massage.yaml");
    let bad = "\
case: massage-1
injury: { date: 2017-06-01 }
exam: { muscle_spasm: yes please }
requests:
  - { id: m, treatment: massage_therapie, quantity: 6 visit, date: 2018-03-15 }
";
    std::fs::write(&path, bad).unwrap();
    let mut c = Client::start(&root);
    initialize(&mut c, false);
    let u = uri(&path);
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": u, "languageId": "yaml", "version": 1, "text": bad } }),
    );
    let d = c.diagnostics(&u);
    insta::assert_snapshot!("case_diagnostics", pretty(&d));
    let good = bad
        .replace("yes please", "true")
        .replace("massage_therapie", "massage_therapy")
        .replace("injury: { date: 2017-06-01 }\n", "");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "text": good }] }),
    );
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"], json!([]), "{d}");

    // A recorded decision the rules do not reproduce: what `mtus test`
    // says, at the outcome. Six visits, none before: medically necessary.
    let recorded =
        |outcome: &str| format!("{good}determination:\n  decisions:\n    - {{ request: m, outcome: {outcome} }}\n");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 3 }, "contentChanges": [{ "text": recorded("upheld") }] }),
    );
    let d = c.diagnostics(&u);
    insta::assert_snapshot!("case_test_failure", pretty(&d));
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 4 }, "contentChanges": [{ "text": recorded("overturned") }] }),
    );
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"], json!([]), "{d}");

    // The rules of the workspace, as edited: a rule file that stops
    // checking is said in the case file.
    let fpath = root.join("rules/facts.mtus");
    let fu = uri(&fpath);
    let ftext = std::fs::read_to_string(&fpath)
        .unwrap()
        .replace("fact exam.muscle_spasm", "fact exam.spasm");
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": fu, "languageId": "mtus", "version": 1, "text": ftext } }),
    );
    let d = c.diagnostics(&u);
    insta::assert_snapshot!("case_rules_broken", pretty(&d));
    c.finish();
}

#[test]
fn a_case_file_outside_a_workspace_uses_the_built_in_rules() {
    let t = tmpdir();
    let root = canonical(&t);
    let path = root.join("case.json");
    let text = r#"{ "case": "x", "requests": [ { "id": "a", "treatment": "flexerill", "date": "2018-01-01" } ] }"#;
    let mut c = Client::start(&root);
    initialize(&mut c, false);
    let u = uri(&path);
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": u, "languageId": "json", "version": 1, "text": text } }),
    );
    let d = c.diagnostics(&u);
    insta::assert_snapshot!("case_builtin_rules", pretty(&d));
    c.finish();
}

#[test]
fn requests_before_initialize_and_exit_without_shutdown() {
    let t = tmpdir();
    let mut c = Client::start(&canonical(&t));
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32002, "{r}");
    c.notify("exit", Value::Null);
    let start = Instant::now();
    loop {
        if let Some(status) = c.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(1), "exit without shutdown is status 1");
            return;
        }
        assert!(start.elapsed() < TIMEOUT, "did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Messages an editor should not send, but might: none stops the server.
#[test]
fn odd_messages_do_not_stop_the_server() {
    let t = tmpdir();
    let root = canonical(&t);
    let mut c = Client::start(&root);
    initialize(&mut c, false);
    // A change to a document never opened, with a range past its end.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///nowhere/x.mtus", "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 99, "character": 0 },
                                                "end": { "line": 0, "character": 0 } }, "text": "x" }] }),
    );
    c.notify("textDocument/didOpen", json!({ "textDocument": 12 }));
    c.send_raw(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#);
    // A buffer with no file: checked with the built-in rules (no error
    // for the facts the engine needs, which it does not declare), and
    // edits past its end are clamped.
    let u = "untitled:Untitled-1";
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": u, "languageId": "mtus", "version": 1, "text": "const x = 1 \"one\"\n" } }),
    );
    let d = c.diagnostics(u);
    let errors: Vec<&Value> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["severity"] == 1)
        .collect();
    assert!(errors.is_empty(), "{d}");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 40, "character": 7 },
                                                "end": { "line": 0, "character": 999 } }, "text": "\u{1F48A}" }] }),
    );
    let _ = c.diagnostics(u);
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 7 } }),
    );
    assert!(h.get("result").is_some(), "{h}");
    let f = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert!(f.get("result").is_some(), "{f}");
    let e = c.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(e["error"]["code"], -32600, "{e}");
    c.finish();
}

#[test]
fn rules_flags_are_refused_not_ignored() {
    let out = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(["lsp", "--builtin-rules"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing but protocol on standard output");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--rules and --builtin-rules do not apply"), "{err}");
}

/// The shipped rule files, copied to `to` (a rule set whose lint takes a
/// while: long enough to see whether the server answers meanwhile).
fn copy_shipped_rules(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "mtus") {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

fn open(c: &mut Client, u: &str, language: &str, text: &str) {
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": u, "languageId": language, "version": 1, "text": text } }),
    );
}

/// The lint runs off the main loop: hovers sent while the lint of a save
/// runs are answered before its diagnostics arrive (a server that lints on
/// its main loop answers them after), each within a generous bound.
#[test]
fn requests_are_answered_while_a_lint_runs() {
    let t = tmpdir();
    let root = canonical(&t);
    let rules = root.join("rules");
    copy_shipped_rules(&rules);
    let mut c = Client::start(&root);
    initialize(&mut c, false);
    let path = rules.join("massage.mtus");
    let u = uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    open(&mut c, &u, "mtus", &text);
    // Sent once the open's lint is done: the shipped rules are clean.
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"], json!([]), "{d}");

    let at = pos(&text, "request.quantity", 0, 2);
    c.notify("textDocument/didSave", json!({ "textDocument": { "uri": u } }));
    let saved = Instant::now();
    let mut pending: Vec<(i64, Instant)> = Vec::new();
    let mut answered: Vec<Duration> = Vec::new();
    let mut diagnostics_at = None;
    // Five hovers 50 ms apart, the first 50 ms after the save.
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(50));
        let id = c.request_later(
            "textDocument/hover",
            json!({ "textDocument": { "uri": u }, "position": at }),
        );
        pending.push((id, Instant::now()));
    }
    while diagnostics_at.is_none() || answered.len() < pending.len() {
        let v = c.next_message("hover answers and the lint's diagnostics");
        if v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == u {
            assert_eq!(v["params"]["diagnostics"], json!([]), "{v}");
            diagnostics_at = Some(saved.elapsed());
            assert_eq!(
                answered.len(),
                pending.len(),
                "the lint's diagnostics came {:?} after the save, before every hover was answered",
                saved.elapsed()
            );
        } else if let Some((_, sent)) = pending.iter().find(|(id, _)| v["id"] == json!(id)) {
            let took = sent.elapsed();
            let hover = v["result"]["contents"]["value"].as_str().unwrap_or("");
            assert!(hover.contains("**fact** `request.quantity`"), "{v}");
            answered.push(took);
        }
    }
    let slowest = answered.iter().max().copied().unwrap_or_default();
    eprintln!(
        "hovers during the lint answered in at most {slowest:?}; the lint's diagnostics came {:?} after the save",
        diagnostics_at.unwrap_or_default()
    );
    assert!(slowest < Duration::from_millis(500), "a hover took {slowest:?}");
    c.finish();
}

/// An edit supersedes the lint of the save before it: the stale lint's
/// warnings (for a constant the edit removed) are never published.
#[test]
fn a_lint_superseded_by_an_edit_is_not_published() {
    let t = tmpdir();
    let root = canonical(&t);
    let rules = root.join("rules");
    copy_shipped_rules(&rules);
    let mut c = Client::start(&root);
    initialize(&mut c, false);
    let path = rules.join("massage.mtus");
    let u = uri(&path);
    let clean = std::fs::read_to_string(&path).unwrap();
    open(&mut c, &u, "mtus", &clean);
    let _ = c.diagnostics(&u);
    let spare = clean.replacen(
        "\nrule massage_therapy",
        "\nconst spare_limit = 3 visit \"not used\"\n\nrule massage_therapy",
        1,
    );
    assert_ne!(spare, clean);
    let change = |c: &mut Client, version: i32, text: &str| {
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    };
    change(&mut c, 2, &spare);
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"], json!([]), "lints wait for a save: {d}");
    // Saved with the unused constant, and at once edited back.
    c.notify("textDocument/didSave", json!({ "textDocument": { "uri": u } }));
    change(&mut c, 3, &clean);
    let mut seen = vec![c.diagnostics(&u)];
    c.notify("textDocument/didSave", json!({ "textDocument": { "uri": u } }));
    // The second save's lint runs after the first's (one linter): what the
    // first would have published comes before it.
    seen.push(c.diagnostics(&u));
    for d in &seen {
        assert_eq!(d["diagnostics"], json!([]), "a stale lint was published: {d}");
        assert_eq!(d["version"], 3, "{d}");
    }
    // The same save, unedited: the warning is published.
    change(&mut c, 4, &spare);
    let _ = c.diagnostics(&u);
    c.notify("textDocument/didSave", json!({ "textDocument": { "uri": u } }));
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"][0]["code"], "unused-const", "{d}");
    c.finish();
}

/// A rule file outside any rule folder is checked with the built-in
/// rules: its own typo is reported, nothing at 1:1 about facts it does not
/// declare; hover knows the built-in facts.
#[test]
fn a_rule_file_outside_a_rule_folder_uses_the_built_in_rules() {
    let t = tmpdir();
    let root = canonical(&t);
    let drafts = root.join("drafts");
    std::fs::create_dir_all(&drafts).unwrap();
    let path = drafts.join("massage_draft.mtus");
    let text = "\
rule massage_draft \"Massage therapy, draft\"
  cites MTUS-CPMTG \"Massage therapy\" p. 60
  applies to massage_therapy
  require adjunct \"Another treatment is under way\"
    course.active_therapy or course.home_exrcise
";
    std::fs::write(&path, text).unwrap();
    let mut c = Client::start(&root);
    initialize(&mut c, false);
    let u = uri(&path);
    open(&mut c, &u, "mtus", text);
    let d = c.diagnostics(&u);
    insta::assert_snapshot!("outside_rule_folder", pretty(&d));
    let diags = d["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{d}");
    assert_eq!(diags[0]["code"], "unknown-fact", "{d}");
    assert_eq!(
        diags[0]["range"]["start"],
        pos(text, "course.home_exrcise", 0, 0),
        "{d}"
    );
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": pos(text, "course.active_therapy", 0, 3) }),
    );
    let h = h["result"]["contents"]["value"].as_str().unwrap_or("").to_string();
    assert!(h.contains("**fact** `course.active_therapy`"), "{h}");
    // Definition into the built-in rules: they are no file of the editor's.
    let def = c.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": u }, "position": pos(text, "course.active_therapy", 0, 3) }),
    );
    assert_eq!(def["result"], Value::Null, "{def}");
    c.finish();
}

/// Lines ended by a carriage return alone: diagnostics on the line the
/// mistake is on, in a rule file and in a case file.
#[test]
fn lines_ended_by_a_carriage_return_alone() {
    let t = tmpdir();
    let root = canonical(&t);
    let rules = root.join("rules");
    copy_rules(&rules);
    let mut c = Client::start(&root);
    initialize(&mut c, false);
    let path = rules.join("extra.mtus");
    let text = "rule extra \"Extra\"\r  cites MTUS-CPMTG \"Massage therapy\" p. 60\r  applies to massage_therapy\r  require a \"A\"\r    exam.muscle_spasmm\r";
    let u = uri(&path);
    open(&mut c, &u, "mtus", text);
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"][0]["code"], "unknown-fact", "{d}");
    assert_eq!(
        d["diagnostics"][0]["range"],
        json!({ "start": { "line": 4, "character": 4 }, "end": { "line": 4, "character": 22 } }),
        "{d}"
    );
    // Closed (it is no file on disk), the rules check again.
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": u } }));
    let _ = c.diagnostics(&u);
    std::fs::create_dir_all(root.join("cases")).unwrap();
    let cpath = root.join("cases/cr.yaml");
    let case = "case: cr-1\rexam:\r  muscle_spasm: yes please\rrequests:\r  - { id: m, treatment: massage_therapy, quantity: 6 visit, date: 2018-03-15 }\r";
    let cu = uri(&cpath);
    open(&mut c, &cu, "yaml", case);
    let d = c.diagnostics(&cu);
    assert_eq!(d["diagnostics"][0]["range"]["start"]["line"], 2, "{d}");
    c.finish();
}

/// A buffer over the file cap is not parsed: one diagnostic says so, and
/// requests on it get no answer; made small again, it is checked.
#[test]
fn a_buffer_over_the_file_cap_is_refused() {
    let t = tmpdir();
    let root = canonical(&t);
    let rules = root.join("rules");
    copy_rules(&rules);
    let mut c = Client::start_with(&root, &["--max-file-bytes", "4000"]);
    initialize(&mut c, false);
    let path = rules.join("extra.mtus");
    let small = "const extra_limit = 3 visit \"extra\"\n";
    let big = format!("{small}{}", "# padding\n".repeat(1000));
    let u = uri(&path);
    open(&mut c, &u, "mtus", &big);
    let d = c.diagnostics(&u);
    insta::assert_snapshot!("oversize_buffer", pretty(&d));
    assert_eq!(d["diagnostics"].as_array().map(Vec::len), Some(1), "{d}");
    assert_eq!(d["diagnostics"][0]["code"], "too-large", "{d}");
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 8 } }),
    );
    assert_eq!(h["result"], Value::Null, "{h}");
    // A case buffer too.
    let cu = uri(&root.join("cases/big.yaml"));
    open(&mut c, &cu, "yaml", &format!("case: x\n{}", "# padding\n".repeat(1000)));
    let d = c.diagnostics(&cu);
    assert_eq!(d["diagnostics"][0]["code"], "too-large", "{d}");
    assert_eq!(d["diagnostics"].as_array().map(Vec::len), Some(1), "{d}");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "text": small }] }),
    );
    // Checked now: no error, and not refused (the lint may already have
    // warned that the constant is unused, which is true).
    let d = c.diagnostics(&u);
    let diags = d["diagnostics"].as_array().cloned().unwrap_or_default();
    assert!(
        diags.iter().all(|x| x["severity"] == 2 && x["code"] != "too-large"),
        "{d}"
    );
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 8 } }),
    );
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("extra_limit")),
        "{h}"
    );
    c.finish();
}

fn labels(v: &Value) -> Vec<String> {
    v["result"]["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["label"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

/// A case file: hover on its keys and values (from the fact schema of its
/// workspace), completion of keys and values, its requests as the outline,
/// and lenses that run `mtus test` and `mtus explain` with its rules.
#[test]
fn a_case_file_gets_hover_completion_outline_and_lenses() {
    let t = tmpdir();
    let root = canonical(&t);
    copy_rules(&root.join("rules"));
    std::fs::create_dir_all(root.join("cases")).unwrap();
    let path = root.join("cases/massage.yaml");
    let text = "\
case: massage-1
exam: { muscle_spasm: true }
history:
  massage_therapy: { received: true, visits: 2 visit }
requests:
  - id: m
    treatment: massage_therapy
    quantity: 6 visit
    intent: chronic
    date: 2018-03-15
  - { id: c, treatment: cyclobenzaprine, date: 2018-03-15 }
";
    std::fs::write(&path, text).unwrap();
    let mut c = Client::start(&root);
    initialize(&mut c, false);
    let u = uri(&path);
    open(&mut c, &u, "yaml", text);
    let d = c.diagnostics(&u);
    assert_eq!(d["diagnostics"], json!([]), "{d}");
    let hover = |c: &mut Client, needle: &str, nth: usize| {
        let h = c.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": u }, "position": pos(text, needle, nth, 1) }),
        );
        h["result"]["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    insta::assert_snapshot!("case_hover_quantity", hover(&mut c, "quantity", 0));
    let h = hover(&mut c, "muscle_spasm", 0);
    assert!(
        h.contains("**fact** `exam.muscle_spasm`: `bool`") && h.contains("muscle spasm found"),
        "{h}"
    );
    let h = hover(&mut c, "chronic", 0);
    assert!(h.contains("**value** `chronic` of fact `request.intent`"), "{h}");
    assert!(h.contains("allowed values: `acute_flare`, `chronic`"), "{h}");
    let h = hover(&mut c, "visits", 0);
    assert!(h.contains("**fact** `history.*.visits`"), "{h}");
    let h = hover(&mut c, "massage_therapy", 0);
    assert!(h.contains("**treatment** `massage_therapy`: Massage therapy"), "{h}");
    let h = hover(&mut c, "cyclobenzaprine", 0);
    assert!(h.contains("class") && h.contains("muscle_relaxant"), "{h}");

    // Completion: a request's keys, a closed fact's values, the top level.
    let typed = text.replace("    date: 2018-03-15\n  - {", "    date: 2018-03-15\n    in\n  - {");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "text": typed }] }),
    );
    let complete = |c: &mut Client, text: &str, needle: &str| {
        c.request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": u }, "position": pos(text, needle, 0, needle.len()) }),
        )
    };
    let l = labels(&complete(&mut c, &typed, "\n    in"));
    for want in ["intent", "quantity", "treatment", "date", "id"] {
        assert!(l.contains(&want.to_string()), "{want} not in {l:?}");
    }
    assert!(!l.contains(&"visits".to_string()), "{l:?}");
    let l = labels(&complete(&mut c, text, "intent: "));
    assert_eq!(l, ["acute_flare", "chronic"]);
    let l = labels(&complete(&mut c, text, "exam: { "));
    assert_eq!(l, ["muscle_spasm"]);
    let l = labels(&complete(&mut c, text, "{ received: true, "));
    assert_eq!(l, ["received", "visits"]);
    let l = labels(&complete(&mut c, text, "treatment: "));
    assert_eq!(l, ["massage_therapy", "cyclobenzaprine"]);
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 3 }, "contentChanges": [{ "text": text }] }),
    );

    let outline = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } }));
    insta::assert_snapshot!("case_outline", pretty(&outline));
    let lenses = c.request("textDocument/codeLens", json!({ "textDocument": { "uri": u } }));
    insta::assert_snapshot!("case_code_lens", pretty(&lenses));
    // Each lens's command line runs, from any folder.
    let tmp = root.display().to_string();
    for l in lenses["result"].as_array().unwrap() {
        let argv: Vec<String> = l["command"]["arguments"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().replace("[TMP]", &tmp))
            .collect();
        assert_eq!(argv[0], "mtus");
        let out = Command::new(env!("CARGO_BIN_EXE_mtus"))
            .args(&argv[1..])
            .current_dir("/")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{argv:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("rules: ") && stdout.contains("/rules (--rules"),
            "{stdout}"
        );
    }
    c.finish();
}

/// A rule file's outline: its items in file order, a rule's criteria under
/// it.
#[test]
fn a_rule_files_outline() {
    let t = tmpdir();
    let root = canonical(&t);
    let rules = root.join("rules");
    copy_rules(&rules);
    let mut c = Client::start(&root);
    initialize(&mut c, false);
    let path = rules.join("massage.mtus");
    let u = uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    open(&mut c, &u, "mtus", &text);
    let _ = c.diagnostics(&u);
    let outline = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } }));
    insta::assert_snapshot!("rule_outline", pretty(&outline));
    c.finish();
}
