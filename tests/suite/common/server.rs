//! A running `briefing serve` over a test site, and a raw HTTP/1.1 client that sends paths
//! exactly as written (no normalisation), as an attacker would.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// Lines the server printed, as they come.
    pub lines: mpsc::Receiver<String>,
    /// What it printed before it said where it serves.
    pub startup: Vec<String>,
    /// The line saying where it serves.
    pub announced: String,
}

pub struct Response {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Server {
    pub fn start(root: &std::path::Path, extra: &[&str]) -> Server {
        Server::start_with_env(root, extra, &[])
    }

    /// `start`, with these environment variables set for the server.
    pub fn start_with_env(root: &std::path::Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port().to_string();
        let mut args = vec!["serve"];
        if !extra.contains(&"--port") {
            args.extend(["--port", &port]);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_briefing"))
            .args(args)
            .args(extra)
            .current_dir(root)
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            // The preview folder goes beside the test's site, so it is removed with it even
            // though the server is killed rather than stopped with Ctrl-C.
            .env("TMPDIR", root.parent().unwrap_or(root))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let (tx, lines) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        // Owned by the server from here on, so it is killed even if start-up fails.
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            lines,
            startup: Vec::new(),
            announced: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        loop {
            let line = server
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("serve did not start; printed:\n{}", seen.join("\n")));
            if let Some(url) = line.split(" at http://").nth(1) {
                server.addr = url
                    .split('/')
                    .next()
                    .expect("address")
                    .parse()
                    .expect("socket address");
                server.startup = seen;
                server.announced = line;
                return server;
            }
            seen.push(line);
        }
    }

    /// Waits for a printed line that `pred` accepts; the lines seen on the way if none does.
    pub fn wait_for_line(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if pred(&line) {
                return line;
            }
            seen.push(line);
        }
        panic!("no line saying {what}; printed:\n{}", seen.join("\n"));
    }

    /// One line for each of `preds`, in whatever order they come (stdout and stderr are
    /// read apart); the lines, in the order of `preds`.
    pub fn wait_for_lines(&self, what: &str, preds: &[&dyn Fn(&str) -> bool]) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut found: Vec<Option<String>> = vec![None; preds.len()];
        let mut seen = Vec::new();
        while found.iter().any(Option::is_none) {
            let Ok(line) = self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            else {
                panic!("no lines saying {what}; printed:\n{}", seen.join("\n"));
            };
            for (pred, found) in preds.iter().zip(found.iter_mut()) {
                if found.is_none() && pred(&line) {
                    *found = Some(line.clone());
                }
            }
            seen.push(line);
        }
        found.into_iter().flatten().collect()
    }

    /// A line `pred` accepts, printed before the start line or after it. Stdout and stderr
    /// are read apart, so a warning printed just before or after the start line may come
    /// through on either side of it.
    pub fn said(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        match self.startup.iter().find(|l| pred(l)) {
            Some(line) => line.clone(),
            None => self.wait_for_line(what, pred),
        }
    }

    /// Sends a raw GET (or another method) for `path`, exactly as given.
    pub fn request(&self, method: &str, path: &str) -> Response {
        self.request_with(method, path, &["Host: localhost"])
    }

    /// A GET's status and body bytes, as sent (for byte-for-byte comparisons).
    pub fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            return (0, raw);
        };
        let status = String::from_utf8_lossy(&raw[..end])
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, raw.split_off(end + 4))
    }

    /// Sends a raw request with exactly these header lines (plus `Connection: close`).
    pub fn request_with(&self, method: &str, path: &str, headers: &[&str]) -> Response {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        for h in headers {
            head.push_str(h);
            head.push_str("\r\n");
        }
        head.push_str("Connection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).expect("send");
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Response {
            status,
            headers: head.to_string(),
            body: body.to_string(),
        }
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    /// Polls `path` until `pred` holds (bounded; no timing is asserted).
    pub fn wait_for(&self, path: &str, what: &str, pred: impl Fn(&Response) -> bool) -> Response {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self.get(path);
            if pred(&r) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} at {path}; last status {} body:\n{}",
                r.status,
                r.body
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Server {
    /// Subscribes to the live-reload channel and calls `edit(n)` until an `event` arrives
    /// (repeating: the first edit may race the subscription). Returns what was received.
    pub fn wait_for_event(&self, event: &str, mut edit: impl FnMut(usize)) -> String {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        write!(stream, "GET /__briefing/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            .expect("send");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let needle = format!("event: {event}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut received = String::new();
        let mut n = 0;
        while !received.contains(&needle) {
            assert!(Instant::now() < deadline, "no {needle:?}; got:\n{received}");
            edit(n);
            n += 1;
            let mut buf = [0u8; 4096];
            let until = Instant::now() + Duration::from_millis(500);
            while Instant::now() < until && !received.contains(&needle) {
                if let Ok(k) = stream.read(&mut buf) {
                    received.push_str(&String::from_utf8_lossy(&buf[..k]));
                }
            }
        }
        received
    }
}

impl Server {
    /// The server's process id, to send it signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (bounded) for the server to exit by itself; its exit status.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Response {
    /// A header's value (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
