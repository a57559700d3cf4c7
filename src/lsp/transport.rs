//! The wire: `Content-Length` framed JSON-RPC messages read from the
//! client and written to it.

use super::*;

/// What the reader thread hands the server.
pub(super) enum Incoming {
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
pub(super) fn read_frame(r: &mut impl BufRead) -> Result<Option<Vec<u8>>, String> {
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

pub(super) fn classify(body: &[u8]) -> Option<Incoming> {
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

pub(super) fn write_frame(w: &mut impl Write, body: &str) -> std::io::Result<()> {
    write!(w, "Content-Length: {}\r\n\r\n", body.len())?;
    w.write_all(body.as_bytes())?;
    w.flush()
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
