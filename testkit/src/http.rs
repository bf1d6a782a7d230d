//! A small HTTP/1.1 server on 127.0.0.1 for the integration tests: keep-alive,
//! Content-Length bodies, every request recorded, each answer chosen by a handler. The GitHub
//! backend tests and the command-line tests point the backend's `api` at it.
//!
//! It also plays hostile servers ([`Reply::Stream`]), so that a client's limits are tested on the
//! wire: a body generated as it is sent, never held in memory (a gigabyte of error), with or
//! without its length, at full speed or as a slow trickle; the bytes it managed to send are
//! counted ([`Server::streamed`]). A server started as a proxy records the requests a client sent
//! through it (their target is the whole URL).

use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.1 server: keep-alive, Content-Length bodies, every request recorded.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap()
    }
    pub fn query(&self) -> Vec<(String, String)> {
        let url = reqwest::Url::parse(&format!("http://x{}", self.target)).unwrap();
        url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn json(status: u16, body: &Value) -> Self {
        Response { status, headers: vec![("content-type".into(), "application/json; charset=utf-8".into())], body: body.to_string() }
    }
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A `304 Not Modified` for `etag`: no body, the ETag said again.
    pub fn not_modified(etag: &str) -> Self {
        Response { status: 304, headers: vec![("etag".into(), etag.into())], body: String::new() }
    }

    /// A response of `status` with a plain `body` and no headers (a web page, a webhook's "ok").
    pub fn text(status: u16, body: &str) -> Self {
        Response { status, headers: vec![], body: body.into() }
    }
}

/// What the server does with a request: answer, or drop the connection unanswered.
pub enum Reply {
    Send(Response),
    Hangup,
    /// Never answer (to time the client out).
    Stall,
    /// Answer with a body generated as it is sent (see [`Stream`]), then close the connection.
    Stream(Stream),
}

/// A body too large (or too slow) to hold: `prefix`, then `len` bytes of `fill`, then `suffix`,
/// written `chunk` bytes at a time with `pause` between. With `declare_length` the head says the
/// whole length (`Content-Length`); without, the body ends when the connection closes.
#[derive(Debug, Clone)]
pub struct Stream {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub prefix: String,
    pub fill: u8,
    pub len: u64,
    pub suffix: String,
    pub chunk: usize,
    pub pause: Option<Duration>,
    pub declare_length: bool,
}

impl Stream {
    /// A JSON error GitHub might send, with a `message` of `len` bytes: `{"message":"xxx…"}`.
    pub fn json_error(status: u16, len: u64) -> Self {
        Stream {
            status,
            headers: vec![("content-type".into(), "application/json; charset=utf-8".into())],
            prefix: r#"{"message":""#.into(),
            fill: b'x',
            len,
            suffix: r#""}"#.into(),
            chunk: 64 << 10,
            pause: None,
            declare_length: false,
        }
    }

    /// `body`, one byte every `pause` (then the rest of `len` bytes of `fill`, as slowly).
    pub fn trickle(status: u16, body: &str, len: u64, pause: Duration) -> Self {
        Stream {
            status,
            headers: vec![("content-type".into(), "application/json; charset=utf-8".into())],
            prefix: body.into(),
            fill: b' ',
            len,
            suffix: String::new(),
            chunk: 1,
            pause: Some(pause),
            declare_length: false,
        }
    }

    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Writes the head and the body to `write`, counting body bytes in `sent`; stops when the
    /// client hangs up.
    async fn send(&self, write: &mut (impl AsyncWriteExt + Unpin), sent: &AtomicU64) {
        let total = self.prefix.len() as u64 + self.len + self.suffix.len() as u64;
        let mut head = format!("HTTP/1.1 {} X\r\nconnection: close\r\n", self.status);
        if self.declare_length {
            head.push_str(&format!("content-length: {total}\r\n"));
        }
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        if write.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let fill = vec![self.fill; self.chunk.max(1)];
        let mut pieces: Vec<(&[u8], u64)> = vec![(self.prefix.as_bytes(), 1)];
        let full = self.len / fill.len() as u64;
        pieces.push((&fill, full));
        let rest = (self.len % fill.len() as u64) as usize;
        pieces.push((&fill[..rest], 1));
        pieces.push((self.suffix.as_bytes(), 1));
        for (bytes, times) in pieces {
            for _ in 0..times {
                // A trickle sends its prefix byte by byte too.
                let step = if self.pause.is_some() { self.chunk.max(1) } else { bytes.len().max(1) };
                for part in bytes.chunks(step) {
                    if let Some(p) = self.pause {
                        tokio::time::sleep(p).await;
                    }
                    if write.write_all(part).await.is_err() {
                        return;
                    }
                    sent.fetch_add(part.len() as u64, Ordering::Relaxed);
                }
            }
        }
        let _ = write.flush().await;
    }
}

pub type Handler = Arc<dyn Fn(&Request, &str) -> Reply + Send + Sync>;

pub struct Server {
    pub base: String,
    pub log: Arc<Mutex<Vec<(Request, u16)>>>,
    /// Body bytes sent by [`Reply::Stream`] answers, all together.
    pub streamed: Arc<AtomicU64>,
}

impl Server {
    pub async fn start(handler: Handler) -> Server {
        Server::start_at("127.0.0.1:0", handler).await
    }

    /// Starts a server at `addr` (a port a test reserved and left closed until now, say).
    pub async fn start_at(addr: &str, handler: Handler) -> Server {
        let listener = TcpListener::bind(addr).await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log: Arc<Mutex<Vec<(Request, u16)>>> = Arc::default();
        let streamed: Arc<AtomicU64> = Arc::default();
        let (b, l, st) = (base.clone(), log.clone(), streamed.clone());
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                let (handler, base, log, streamed) = (handler.clone(), b.clone(), l.clone(), st.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut read = BufReader::new(read);
                    loop {
                        let mut line = String::new();
                        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let mut parts = line.split_whitespace();
                        let (method, target) = (parts.next().unwrap().to_owned(), parts.next().unwrap().to_owned());
                        let mut headers = HashMap::new();
                        loop {
                            let mut h = String::new();
                            read.read_line(&mut h).await.unwrap();
                            let h = h.trim_end();
                            if h.is_empty() {
                                break;
                            }
                            let (k, v) = h.split_once(':').unwrap();
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                        }
                        let len: usize = headers.get("content-length").map_or(0, |v| v.parse().unwrap());
                        let mut body = vec![0; len];
                        read.read_exact(&mut body).await.unwrap();
                        let req = Request { method, target, headers, body: String::from_utf8(body).unwrap() };
                        match handler(&req, &base) {
                            Reply::Hangup => {
                                log.lock().unwrap().push((req, 0));
                                return;
                            }
                            Reply::Stall => {
                                log.lock().unwrap().push((req, 0));
                                std::future::pending::<()>().await;
                            }
                            Reply::Stream(stream) => {
                                log.lock().unwrap().push((req, stream.status));
                                stream.send(&mut write, &streamed).await;
                                return;
                            }
                            Reply::Send(resp) => {
                                let mut out = format!("HTTP/1.1 {} X\r\ncontent-length: {}\r\n", resp.status, resp.body.len());
                                for (k, v) in &resp.headers {
                                    out.push_str(&format!("{k}: {v}\r\n"));
                                }
                                out.push_str("\r\n");
                                out.push_str(&resp.body);
                                log.lock().unwrap().push((req, resp.status));
                                if write.write_all(out.as_bytes()).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        Server { base, log, streamed }
    }

    /// Body bytes sent by [`Reply::Stream`] answers so far.
    pub fn streamed(&self) -> u64 {
        self.streamed.load(Ordering::Relaxed)
    }

    pub fn requests(&self) -> Vec<(Request, u16)> {
        self.log.lock().unwrap().clone()
    }

    pub fn statuses(&self) -> Vec<u16> {
        self.requests().into_iter().map(|(_, s)| s).collect()
    }

    /// Starts a server on a thread of its own, for tests that are not async (they run the
    /// `rota` binary and wait for it). It serves until the test process ends.
    pub fn start_on_thread(handler: Handler) -> Server {
        Server::start_on_thread_at("127.0.0.1:0", handler)
    }

    /// [`Server::start_on_thread`] at `addr`.
    pub fn start_on_thread_at(addr: &str, handler: Handler) -> Server {
        let addr = addr.to_owned();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                tx.send(Server::start_at(&addr, handler).await).unwrap();
                std::future::pending::<()>().await;
            });
        });
        rx.recv().expect("the test server starts")
    }
}

/// Answers each request with the next scripted reply; once the script runs out, with `then`.
pub fn scripted(script: Vec<Reply>, then: fn() -> Reply) -> Handler {
    let script = Mutex::new(std::collections::VecDeque::from(script));
    Arc::new(move |_: &Request, _: &str| script.lock().unwrap().pop_front().unwrap_or_else(then))
}

/// A local address nobody listens on (yet): bound, then released.
pub fn closed_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}
