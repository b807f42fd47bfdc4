//! A minimal HTTP/1.1 server for `serve`: GET and HEAD, one thread per connection, each
//! with read and write timeouts, a bounded request head, and a cap on connections.
//!
//! Why not tiny_http: its connection pool can leave a new connection queued behind
//! clients that never finish their request (a notified thread still counts as waiting
//! when the next connection arrives); tests/serve.rs reproduced it under load. Here every
//! connection has its own thread and a stalled one times out.

use super::http::{Handler, Reply};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A client has this long to send its request, and to take the reply.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Beyond this, a request head is refused: real ones are well under 8 KiB.
const MAX_HEAD: usize = 16 * 1024;
/// Open connections (each a thread) at most; more are answered 503 at once.
const MAX_CONNECTIONS: usize = 256;

/// Accepts connections for ever, each on a thread of its own.
pub fn run(listener: TcpListener, handler: Arc<Handler>) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming().flatten() {
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            let _ = write_reply(&stream, &Reply::busy(), false);
            continue;
        }
        let (handler, open) = (Arc::clone(&handler), Arc::clone(&open));
        std::thread::spawn(move || {
            serve_connection(&stream, &handler);
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// The request line's method and target, or the reply that refuses the request.
fn read_request(stream: &TcpStream) -> Result<(String, String), Reply> {
    let mut reader = BufReader::new(stream.take(MAX_HEAD as u64));
    let mut request_line = String::new();
    let mut read = 0;
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return Err(Reply::bad(400, "incomplete request")),
            Ok(n) => read += n,
        }
        if request_line.is_empty() {
            request_line = line.trim_end().to_string();
        } else if line == "\r\n" || line == "\n" {
            break;
        }
        if read >= MAX_HEAD {
            return Err(Reply::bad(431, "request head too large"));
        }
    }
    let mut parts = request_line.split(' ');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(method), Some(target), Some(version), None) if version.starts_with("HTTP/1.") => {
            Ok((method.to_string(), target.to_string()))
        }
        _ => Err(Reply::bad(400, "malformed request line")),
    }
}

fn serve_connection(stream: &TcpStream, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(TIMEOUT));
    let _ = stream.set_write_timeout(Some(TIMEOUT));
    let (reply, head_only) = match read_request(stream) {
        Ok((method, target)) => (handler.handle(&method, &target), method == "HEAD"),
        Err(reply) => (reply, false),
    };
    // A client that went away is not an error worth reporting.
    let _ = write_reply(stream, &reply, head_only);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    }
}

fn write_reply(mut stream: &TcpStream, reply: &Reply, head_only: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.body.len()
    );
    if let Some(location) = &reply.location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()
}

impl Reply {
    fn bad(status: u16, why: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            location: None,
            body: why.as_bytes().to_vec(),
        }
    }

    fn busy() -> Reply {
        Reply::bad(503, "too many connections")
    }
}
