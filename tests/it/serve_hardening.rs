//! `mtus serve` against hostile clients, over real HTTP on a free loopback
//! port: the real binary is started (`--port 0`, the address read from its
//! first line) and spoken to through raw sockets, so every header is the
//! test's own. Short timeouts come from the binary's hidden test flags.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Server {
    child: Child,
    addr: SocketAddr,
    /// Standard error so far, read by a thread.
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(mut cmd: Command) -> Option<Server> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .expect("mtus serve starts");
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut err = child.stderr.take().expect("piped stderr");
    let sink = stderr.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut s) = sink.lock() {
                s.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
    });
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    let _ = BufReader::new(stdout).read_line(&mut line);
    let Some(url) = line.trim().strip_prefix("mtus serve: listening on http://") else {
        let _ = child.wait();
        return None;
    };
    let addr: SocketAddr = url.trim_end_matches('/').parse().expect("an address");
    Some(Server { child, addr, stderr })
}

fn start(extra: &[&str]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mtus"));
    cmd.args(["serve", "--port", "0"]).args(extra);
    let s = spawn(cmd).expect("the address line");
    assert!(s.addr.ip().is_loopback(), "binds loopback by default: {}", s.addr);
    s
}

/// One answer read whole from a raw connection.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    fn code(&self) -> String {
        self.json()["errors"][0]["code"].as_str().unwrap_or("?").to_string()
    }
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// Read one answer (head and a `Content-Length` body) from `s`.
fn read_answer(s: &mut TcpStream) -> std::io::Result<Answer> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 {
            return Err(std::io::Error::new(ErrorKind::UnexpectedEof, "closed before an answer"));
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let mut a = Answer {
        status,
        head,
        body: String::new(),
    };
    let len: usize = a.header("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    a.body = String::from_utf8_lossy(&body).into_owned();
    Ok(a)
}

fn connect(s: &Server) -> TcpStream {
    let c = TcpStream::connect(s.addr).expect("connects");
    c.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    c
}

/// Send `head` (the request line and headers, without the blank line)
/// and `body`, with a `Content-Length`, and read the answer.
fn raw(s: &Server, head: &str, body: &[u8]) -> Answer {
    let mut c = connect(s);
    let req = format!("{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    c.write_all(req.as_bytes()).expect("send");
    c.write_all(body).expect("send");
    read_answer(&mut c).expect("an answer")
}

fn get(s: &Server, path: &str, host: &str) -> Answer {
    raw(s, &format!("GET {path} HTTP/1.1\r\nHost: {host}"), b"")
}

fn post(s: &Server, path: &str, headers: &str, body: &[u8]) -> Answer {
    let host = s.addr;
    raw(s, &format!("POST {path} HTTP/1.1\r\nHost: {host}{headers}"), body)
}

fn seed() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/seed-000.json")).expect("fixture")
}

/// Whether the server closes `c` within `within` (reading whatever it
/// sends first); the time it took.
fn closed_within(c: &mut TcpStream, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    c.set_read_timeout(Some(Duration::from_millis(100))).expect("timeout");
    let mut buf = [0u8; 1024];
    while start.elapsed() < within {
        match c.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(start.elapsed()),
        }
    }
    None
}

#[test]
fn only_requests_naming_this_server_are_answered() {
    let s = start(&["--allow-host", "mtus.office.lan"]);
    let port = s.addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("mtus.office.lan:{port}"),
    ] {
        let a = get(&s, "/v1/rules", &host);
        assert_eq!(a.status, 200, "Host: {host}");
    }
    // A rebinding page's name, our address at another port, no port, an
    // address that is not ours, a name with ours as a suffix.
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.1".to_string(),
        format!("127.0.0.2:{port}"),
        format!("[::1]:{port}"),
        format!("evil.mtus.office.lan:{port}"),
        format!("localhost.:{port}"),
    ] {
        for path in ["/", "/v1/rules", "/nothing"] {
            let a = get(&s, path, &host);
            assert_eq!(a.status, 421, "Host: {host} {path}: {}", a.body);
            assert_eq!(a.code(), "unknown-host");
            assert!(
                a.json()["errors"][0]["help"]
                    .as_str()
                    .is_some_and(|h| h.contains("--allow-host"))
            );
        }
    }
    // No Host at all (HTTP/1.0).
    let mut c = connect(&s);
    c.write_all(b"GET /v1/rules HTTP/1.0\r\n\r\n").expect("send");
    let a = read_answer(&mut c).expect("an answer");
    assert_eq!((a.status, a.code().as_str()), (421, "unknown-host"));
    // The page's posts too.
    let a = raw(
        &s,
        &format!("POST /v1/check HTTP/1.1\r\nHost: evil.example:{port}\r\nContent-Type: application/json"),
        &seed(),
    );
    assert_eq!(a.status, 421);
}

#[test]
fn a_post_from_another_site_is_refused() {
    let s = start(&[]);
    let port = s.addr.port();
    let body = seed();
    for origin in [
        "http://evil.example".to_string(),
        format!("http://evil.example:{port}"),
        "null".to_string(),
        format!("https://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        format!("http://127.0.0.1:{port}/path"),
    ] {
        for path in ["/v1/check", "/v1/yaml"] {
            let a = post(
                &s,
                path,
                &format!("\r\nOrigin: {origin}\r\nContent-Type: application/json"),
                &body,
            );
            assert_eq!(a.status, 403, "Origin: {origin}: {}", a.body);
            assert_eq!(a.code(), "cross-origin");
        }
    }
    for origin in [format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")] {
        let a = post(
            &s,
            "/v1/check",
            &format!("\r\nOrigin: {origin}\r\nContent-Type: application/json"),
            &body,
        );
        assert_eq!(a.status, 200, "Origin: {origin}: {}", a.body);
    }
    // No Origin (curl, scripts): answered.
    let a = post(&s, "/v1/check", "\r\nContent-Type: application/json", &body);
    assert_eq!(a.status, 200, "{}", a.body);
    // A read with another site's Origin is answered (the Host is ours) but
    // never shared with that site: no CORS header.
    let a = raw(
        &s,
        &format!("GET /v1/rules HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://evil.example"),
        b"",
    );
    assert_eq!(a.status, 200);
    assert_eq!(a.header("access-control-allow-origin"), None);
}

#[test]
fn the_api_takes_json_only() {
    let s = start(&[]);
    let body = seed();
    for ct in [
        "\r\nContent-Type: text/plain",
        "\r\nContent-Type: text/plain; charset=utf-8",
        "\r\nContent-Type: application/x-www-form-urlencoded",
        "\r\nContent-Type: multipart/form-data; boundary=x",
        "\r\nContent-Type: application/jsonx",
        "",
    ] {
        for path in ["/v1/check", "/v1/yaml"] {
            let a = post(&s, path, ct, &body);
            assert_eq!(a.status, 415, "{ct:?} {path}: {}", a.body);
            assert_eq!(a.code(), "not-json");
        }
    }
    for ct in [
        "\r\nContent-Type: application/json",
        "\r\nContent-Type: application/json; charset=utf-8",
        "\r\nContent-Type: Application/JSON",
    ] {
        let a = post(&s, "/v1/check", ct, &body);
        assert_eq!(a.status, 200, "{ct:?}: {}", a.body);
    }
}

#[test]
fn a_body_over_the_cap_is_refused_before_it_is_read() {
    let s = start(&["--builtin-rules", "--max-file-bytes", "4096"]);
    // A declared length past the cap: refused at once, no body sent.
    let mut c = connect(&s);
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n",
        s.addr
    );
    c.write_all(head.as_bytes()).expect("send");
    let a = read_answer(&mut c).expect("refused without the body");
    assert_eq!((a.status, a.code().as_str()), (413, "too-large"));
    assert_eq!(a.header("connection").as_deref(), Some("close"));
    // A chunked body that streams past the cap: refused once it passes.
    let mut c = connect(&s);
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        s.addr
    );
    c.write_all(head.as_bytes()).expect("send");
    c.write_all(b"1\r\n\"\r\n").expect("send");
    for _ in 0..5 {
        // The server may close as soon as the cap is passed.
        let _ = c.write_all(format!("400\r\n{}\r\n", "x".repeat(1024)).as_bytes());
    }
    let a = read_answer(&mut c).expect("refused past the cap");
    assert_eq!((a.status, a.code().as_str()), (413, "too-large"));
    // Under the cap, chunked: read (and found wanting for other reasons).
    let mut c = connect(&s);
    c.write_all(head.as_bytes()).expect("send");
    let part = br#"{"case": "x"}"#;
    c.write_all(format!("{:x}\r\n", part.len()).as_bytes()).expect("send");
    c.write_all(part).expect("send");
    c.write_all(b"\r\n0\r\n\r\n").expect("send");
    let a = read_answer(&mut c).expect("an answer");
    assert_eq!(a.status, 422, "{}", a.body);
}

#[test]
fn a_client_that_trickles_its_headers_is_cut_off() {
    let s = start(&["--header-timeout-ms", "500"]);
    let mut c = connect(&s);
    c.write_all(format!("GET /v1/rules HTTP/1.1\r\nHost: {}\r\n", s.addr).as_bytes())
        .expect("send");
    let start = Instant::now();
    let mut closed = false;
    // One byte of a header every 100 ms, for up to 10 s.
    for b in "X-Slow: ".bytes().chain(std::iter::repeat(b'a')).take(100) {
        std::thread::sleep(Duration::from_millis(100));
        if c.write_all(&[b]).is_err() {
            closed = true;
            break;
        }
        if closed_within(&mut c, Duration::from_millis(1)).is_some() {
            closed = true;
            break;
        }
    }
    let took = start.elapsed();
    assert!(closed, "still open after {took:?}");
    assert!(
        took >= Duration::from_millis(400),
        "closed before the timeout: {took:?}"
    );
    // The server goes on.
    assert_eq!(get(&s, "/v1/rules", &s.addr.to_string()).status, 200);
}

#[test]
fn idle_connections_are_closed() {
    let s = start(&["--header-timeout-ms", "500"]);
    // Nothing sent at all.
    let mut c = connect(&s);
    let took = closed_within(&mut c, Duration::from_secs(10));
    assert!(took.is_some_and(|t| t >= Duration::from_millis(400)), "{took:?}");
    // Idle after one answer (keep-alive).
    let mut c = connect(&s);
    c.write_all(format!("GET /v1/rules HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).as_bytes())
        .expect("send");
    let a = read_answer(&mut c).expect("an answer");
    assert_eq!(a.status, 200);
    assert_ne!(a.header("connection").as_deref(), Some("close"), "kept alive");
    let took = closed_within(&mut c, Duration::from_secs(10));
    assert!(took.is_some_and(|t| t >= Duration::from_millis(400)), "{took:?}");
}

#[test]
fn a_body_sent_too_slowly_is_408() {
    let s = start(&["--body-timeout-ms", "500"]);
    let mut c = connect(&s);
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"case\"",
        s.addr
    );
    c.write_all(head.as_bytes()).expect("send");
    let start = Instant::now();
    let a = read_answer(&mut c).expect("an answer");
    assert_eq!((a.status, a.code().as_str()), (408, "too-slow"), "{}", a.body);
    assert!(start.elapsed() >= Duration::from_millis(400));
    assert_eq!(a.header("connection").as_deref(), Some("close"));
}

#[test]
fn connections_past_the_cap_wait_for_one_to_close() {
    let s = start(&["--max-connections", "2", "--header-timeout-ms", "20000"]);
    let idle: Vec<TcpStream> = (0..2).map(|_| connect(&s)).collect();
    // Let the server accept both.
    std::thread::sleep(Duration::from_millis(300));
    let mut c = connect(&s);
    c.write_all(
        format!(
            "GET /v1/rules HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            s.addr
        )
        .as_bytes(),
    )
    .expect("queued by the kernel");
    c.set_read_timeout(Some(Duration::from_millis(500))).expect("timeout");
    let mut byte = [0u8; 1];
    let early = c.read(&mut byte);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "answered past the cap: {early:?}"
    );
    drop(idle);
    c.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let a = read_answer(&mut c).expect("answered once a connection closed");
    assert_eq!(a.status, 200);
}

/// A case with `n` massage requests.
fn big_case(n: usize) -> Vec<u8> {
    let requests: Vec<Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("r{i}"),
                "treatment": "massage_therapy",
                "quantity": "6 visit",
                "body_region": ["cervical_spine"],
                "date": "2015-05-06",
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "case": "big",
        "history": { "massage_therapy": { "received": true, "functional_improvement": false } },
        "requests": requests,
    }))
    .expect("JSON")
}

fn timed_post(s: &Server, body: &[u8]) -> (u16, Duration) {
    let start = Instant::now();
    let a = post(s, "/v1/check", "\r\nContent-Type: application/json", body);
    (a.status, start.elapsed())
}

#[test]
fn a_slow_check_does_not_hold_up_the_page_or_the_rules() {
    let s = Arc::new(start(&["--max-file-bytes", "268435456"]));
    // A case that takes at least 2 s to check here (doubled until it does;
    // the time depends on the build and on how loaded the machine is).
    let mut n = 500;
    let (body, slow) = loop {
        let body = big_case(n);
        let (status, took) = timed_post(&s, &body);
        assert_eq!(status, 200);
        if took >= Duration::from_secs(2) || n >= 256_000 {
            break (body, took);
        }
        n *= 2;
    };
    eprintln!("a case of {n} requests ({} bytes) takes {slow:?}", body.len());
    assert!(
        slow >= Duration::from_secs(2),
        "{n} requests check in {slow:?}: too fast to test"
    );
    let body = Arc::new(body);
    // Two at once (the server's two worker threads were stalled by two).
    let slow_posts: Vec<_> = (0..2)
        .map(|_| {
            let (s, body) = (s.clone(), body.clone());
            std::thread::spawn(move || {
                let r = timed_post(&s, &body);
                (r, Instant::now())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut quick = Vec::new();
    for i in 0..10 {
        let path = if i % 2 == 0 { "/" } else { "/v1/rules" };
        let start = Instant::now();
        let a = get(&s, path, &s.addr.to_string());
        assert_eq!(a.status, 200);
        quick.push(start.elapsed());
    }
    let quick_done = Instant::now();
    let worst = quick.iter().max().copied().unwrap_or_default();
    for p in slow_posts {
        let ((status, took), done) = p.join().expect("the slow post");
        assert_eq!(status, 200);
        assert!(
            done > quick_done,
            "the slow post ended ({took:?}) before the quick ones: not concurrent"
        );
    }
    eprintln!("while two slow checks ran, the page and the rules answered in at most {worst:?}");
    // Ratios, not absolute times: the quick answers took a small part of
    // one slow check, however fast the machine.
    assert!(worst * 4 < slow, "the page took {worst:?} beside a {slow:?} check");
}

#[test]
fn a_load_of_two_thousand_requests_fifty_at_once_has_no_error() {
    let s = Arc::new(start(&[]));
    let body = Arc::new(seed());
    let expected = Arc::new(post(&s, "/v1/check", "\r\nContent-Type: application/json", &body).body);
    let budget = Duration::from_secs(240);
    let start = Instant::now();
    let threads: Vec<_> = (0..50)
        .map(|t| {
            let (s, body, expected) = (s.clone(), body.clone(), expected.clone());
            std::thread::spawn(move || {
                // One keep-alive connection per client, reopened when the
                // server closes it.
                let mut done = 0;
                let mut errors = Vec::new();
                let mut c: Option<TcpStream> = None;
                for i in 0..40 {
                    if start.elapsed() > budget {
                        break;
                    }
                    let conn = c.get_or_insert_with(|| connect(&s));
                    let req = if (t + i) % 3 == 0 {
                        format!("GET /v1/rules HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).into_bytes()
                    } else {
                        let mut r = format!(
                            "POST /v1/check HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                            s.addr,
                            body.len()
                        )
                        .into_bytes();
                        r.extend_from_slice(&body);
                        r
                    };
                    let got = conn.write_all(&req).and_then(|()| read_answer(conn));
                    let keep = got.as_ref().is_ok_and(|a| a.header("connection").as_deref() != Some("close"));
                    match got {
                        Ok(a) if a.status == 200 && (req.starts_with(b"GET") || a.body == *expected) => done += 1,
                        Ok(a) => errors.push(format!("{} {}", a.status, a.body)),
                        Err(e) => errors.push(e.to_string()),
                    }
                    if !keep {
                        c = None;
                    }
                    if errors.len() > 3 {
                        break;
                    }
                }
                (done, errors)
            })
        })
        .collect();
    let mut done = 0;
    let mut errors = Vec::new();
    for t in threads {
        let (d, e) = t.join().expect("a client");
        done += d;
        errors.extend(e);
    }
    let took = start.elapsed();
    eprintln!("load: {done} requests, 50 at once, in {took:?}");
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(done, 2000, "only {done} of 2000 answered within {budget:?}");
}

#[test]
fn running_out_of_descriptors_does_not_stop_the_server() {
    // The server under a 64-descriptor limit, sent 100 connections.
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "ulimit -n 64 || exit 77; exec \"$0\" serve --port 0",
        env!("CARGO_BIN_EXE_mtus"),
    ]);
    let Some(mut s) = spawn(cmd) else {
        eprintln!("SKIPPED: the descriptor limit cannot be set here");
        return;
    };
    let held: Vec<TcpStream> = (0..100).filter_map(|_| TcpStream::connect(s.addr).ok()).collect();
    assert!(held.len() > 64, "only {} connections made", held.len());
    // Time for the server to run out.
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        s.child.try_wait().expect("the server's state").is_none(),
        "the server ended: {}",
        s.stderr.lock().map(|e| e.clone()).unwrap_or_default()
    );
    drop(held);
    // Answers again once the connections are gone (the accept back-off is
    // at most 1 s).
    let start = Instant::now();
    let answered = loop {
        let mut c = connect(&s);
        let sent = c.write_all(
            format!(
                "GET /v1/rules HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                s.addr
            )
            .as_bytes(),
        );
        match sent.and_then(|()| read_answer(&mut c)) {
            Ok(a) => break a.status,
            Err(_) if start.elapsed() < Duration::from_secs(30) => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => panic!("no answer after the connections closed: {e}"),
        }
    };
    assert_eq!(answered, 200);
    assert!(s.child.try_wait().expect("the server's state").is_none());
    let err = s.stderr.lock().map(|e| e.clone()).unwrap_or_default();
    let lines = err.lines().filter(|l| l.contains("cannot accept")).count();
    assert!((1..=3).contains(&lines), "one line per run of failed accepts: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn listening_beyond_loopback_needs_public() {
    let out = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(["serve", "--port", "0", "--host", "0.0.0.0"])
        .output()
        .expect("mtus runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--host 0.0.0.0 is reachable beyond this computer"),
        "{err}"
    );
    assert!(err.contains("pass --public"), "{err}");
    assert!(out.stdout.is_empty(), "nothing listened on");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mtus"));
    cmd.args(["serve", "--port", "0", "--host", "0.0.0.0", "--public"]);
    let s = spawn(cmd).expect("listens with --public");
    assert!(s.addr.ip().is_unspecified());
    // Its address, asked by IP, is answered; a name is not.
    let port = s.addr.port();
    let local = SocketAddr::from(([127, 0, 0, 1], port));
    let mut c = TcpStream::connect(local).expect("connects");
    c.write_all(format!("GET /v1/rules HTTP/1.1\r\nHost: {local}\r\nConnection: close\r\n\r\n").as_bytes())
        .expect("send");
    assert_eq!(read_answer(&mut c).expect("an answer").status, 200);
    let mut c = TcpStream::connect(local).expect("connects");
    c.write_all(format!("GET /v1/rules HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n").as_bytes())
        .expect("send");
    assert_eq!(read_answer(&mut c).expect("an answer").status, 421);
    std::thread::sleep(Duration::from_millis(200));
    let err = s.stderr.lock().map(|e| e.clone()).unwrap_or_default();
    assert!(err.contains("warning: listening on 0.0.0.0:"), "{err}");

    let out = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(["serve", "--port", "0", "--allow-host", "evil:80"])
        .output()
        .expect("mtus runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-host `evil:80` is not a host name"));
}

/// A line of `/proc/PID/status` in KiB (`VmHWM`, `VmRSS`); `None` off Linux.
fn proc_kib(s: &Server, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", s.child.id())).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Post `count` bodies of `body` at once; every answer's status.
fn post_at_once(s: &Arc<Server>, body: &Arc<Vec<u8>>, count: usize) -> Vec<u16> {
    let threads: Vec<_> = (0..count)
        .map(|_| {
            let (s, body) = (s.clone(), body.clone());
            std::thread::spawn(move || post(&s, "/v1/check", "\r\nContent-Type: application/json", &body).status)
        })
        .collect();
    threads.into_iter().map(|t| t.join().expect("a client")).collect()
}

#[test]
fn bodies_held_at_once_are_bounded() {
    // 4 MiB bodies (a case whose id is long: read, parsed, found wanting);
    // a long body timeout, as the later ones wait for room while a debug
    // build decides the earlier ones.
    let s = Arc::new(start(&["--body-timeout-ms", "300000"]));
    let mut body = b"{\"case\": \"".to_vec();
    body.extend(std::iter::repeat_n(b'x', 4 << 20));
    body.extend(b"\"}");
    let body = Arc::new(body);
    let Some(base) = proc_kib(&s, "VmHWM") else {
        eprintln!("SKIPPED: no /proc to read the server's memory from");
        return;
    };
    // 16 at once about fill the 64 MiB budget; 48 at once would hold 192
    // MiB without it.
    assert!(post_at_once(&s, &body, 16).iter().all(|&st| st == 422));
    let some = proc_kib(&s, "VmHWM").unwrap_or(0).saturating_sub(base);
    assert!(post_at_once(&s, &body, 48).iter().all(|&st| st == 422));
    let many = proc_kib(&s, "VmHWM").unwrap_or(0).saturating_sub(base);
    std::thread::sleep(Duration::from_secs(2));
    let idle = proc_kib(&s, "VmRSS").unwrap_or(0).saturating_sub(base);
    eprintln!(
        "peak over the start: {} MiB with 16 bodies of 4 MiB at once, {} MiB with 48; {} MiB held when idle",
        some / 1024,
        many / 1024,
        idle / 1024
    );
    assert!(
        many < some * 2,
        "48 bodies at once peak at {many} KiB, 16 at {some} KiB"
    );
}
