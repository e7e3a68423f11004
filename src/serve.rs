//! `briefing serve`: build, watch, and serve the output over HTTP with live reload.
//! axum + tower-http's `ServeDir` do the HTTP; a broadcast channel tells every open page
//! (over Server-Sent Events) to reload after each rebuild.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{Semaphore, broadcast};
use tower::ServiceExt;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::{ServeDir, ServeFile};

use crate::diagnostic::Diagnostic;
use crate::site::LoadOptions;
use crate::watch::{Rebuild, Session};

pub const LIVE_RELOAD_PATH: &str = "/__briefing/live.js";
pub const EVENTS_PATH: &str = "/__briefing/events";

const LIVE_RELOAD_JS: &str = include_str!("live_reload.js");

/// A client must send a request's headers within this, and an idle keep-alive connection
/// is closed after it: a connection that never finishes costs a file descriptor forever.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once, at most; more wait in the kernel's backlog, costing us
/// nothing, so a flood of connections cannot use up the descriptors a rebuild needs.
const MAX_CONNECTIONS: usize = 512;
/// Live-reload streams at once: they never end, so they get their own, smaller share and
/// cannot hold every connection slot.
const MAX_LIVE_STREAMS: usize = 64;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub interface: IpAddr,
    pub port: u16,
    pub drafts: bool,
    /// Preview the release build at this level (`--max-marking`).
    pub max_marking: Option<String>,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    Bind { addr: String, error: std::io::Error },
    Io(std::io::Error),
    Watch(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Bind { addr, error } => {
                write!(f, "cannot listen on {addr} or the next ports: {error}")
            }
            ServeError::Io(e) => write!(f, "{e}"),
            ServeError::Watch(e) => write!(f, "cannot watch the site for changes: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// What the live-reload script in open pages is told (`src/live_reload.js` listens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LiveEvent {
    /// Reload the page: the site changed, or its errors did.
    Reload,
    /// Only stylesheets changed: fetch them again, keeping the page.
    Css,
    /// The book and search index, written after an edited page: the book's tab reloads.
    Book,
}

impl LiveEvent {
    fn name(self) -> &'static str {
        match self {
            LiveEvent::Reload => "reload",
            LiveEvent::Css => "css",
            LiveEvent::Book => "book",
        }
    }
}

/// Shared between the HTTP handlers and the rebuild loop.
struct Live {
    /// The current problems; every served page shows them while there are any.
    errors: RwLock<Vec<Diagnostic>>,
    /// What open pages should do after each rebuild.
    events: broadcast::Sender<LiveEvent>,
    /// Slots for live-reload streams.
    streams: Arc<Semaphore>,
    /// Held while a rebuild writes, so shutdown can wait for it before removing the folder.
    rebuilding: Mutex<()>,
    /// Set on shutdown: no rebuild starts after it.
    stopping: AtomicBool,
    /// The preview: rebuilt by the watcher, and asked for the PDF by a request for it.
    session: Mutex<Session>,
    /// Prints what each rebuild, and each PDF typeset on request, did.
    report: Box<dyn Fn(&Rebuild) + Send + Sync>,
}

/// Runs the preview until Ctrl-C, SIGTERM or SIGHUP. `report` prints each rebuild's line and
/// diagnostics, and those of each PDF typeset on request.
pub fn serve(
    root: &Path,
    options: ServeOptions,
    report: impl Fn(&Rebuild) + Send + Sync + 'static,
    announce: impl FnOnce(&str, u16),
) -> Result<(), ServeError> {
    // Watcher events carry absolute paths; compare them with an absolute root.
    let root = &std::fs::canonicalize(root).map_err(ServeError::Io)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Io)?;
    // Listen for the stop signals first: one sent while starting still stops us cleanly.
    let stop = runtime
        .block_on(async { Stop::new() })
        .map_err(ServeError::Io)?;
    let listener = runtime.block_on(bind(options.interface, options.port))?;
    let addr = listener.local_addr().map_err(ServeError::Io)?;
    let url = format!("http://{addr}/");

    // The preview is built into a temporary folder, removed on exit: `public/` is left to
    // `briefing build`.
    let scratch = tempfile::Builder::new()
        .prefix("briefing-serve-")
        .tempdir()
        .map_err(ServeError::Io)?;
    let out = scratch.path().join("site");
    let live = first_build(root, &options, &url, &out, Box::new(report))?;

    // Watch before announcing the address, so no edit made after the announcement is missed.
    watch(Arc::clone(&live))?;
    announce(&url, addr.port());

    let app = router(&out, Arc::clone(&live), options.interface);
    serve_until_stopped(runtime, listener, app, stop);
    shut_down(&live, scratch);
    Ok(())
}

/// The preview's first build into `out`, reported, in the `Live` state it starts.
/// Absolute URLs (feed, sitemap, the 404 page) point at the preview's `url`.
fn first_build(
    root: &Path,
    options: &ServeOptions,
    url: &str,
    out: &Path,
    report: Box<dyn Fn(&Rebuild) + Send + Sync>,
) -> Result<Arc<Live>, ServeError> {
    let build_options = LoadOptions {
        drafts: options.drafts,
        base_url: Some(url.to_string()),
        max_marking: options.max_marking.clone(),
        preview: true,
        ..LoadOptions::default()
    };
    let (session, first) = Session::start(root, build_options, out);
    report(&first);
    if !out.exists() {
        std::fs::create_dir_all(out).map_err(ServeError::Io)?;
    }
    let (events, _) = broadcast::channel(16);
    let live = Arc::new(Live {
        errors: RwLock::new(first.errors.clone()),
        events,
        streams: Arc::new(Semaphore::new(MAX_LIVE_STREAMS)),
        rebuilding: Mutex::new(()),
        stopping: AtomicBool::new(false),
        session: Mutex::new(session),
        report,
    });
    Ok(live)
}

/// Serves `app` until a stop signal, then leaves the runtime's tasks behind.
fn serve_until_stopped(
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    app: Router,
    mut stop: Stop,
) {
    runtime.block_on(async move {
        // Live-reload connections never finish by themselves, so stopping does not wait
        // for open connections: it stops serving at once.
        tokio::select! {
            () = accept_loop(listener, app) => {}
            () = stop.recv() => {}
        }
    });
    runtime.shutdown_background();
}

/// Removes the preview folder, `scratch`, once no rebuild is writing into it.
fn shut_down(live: &Live, scratch: tempfile::TempDir) {
    // Let a rebuild in progress finish, and start no other, so nothing is written into
    // the preview folder while it is removed.
    live.stopping.store(true, Ordering::SeqCst);
    let guard = live.rebuilding.lock();
    // Dropping `scratch` removes the preview folder.
    drop(scratch);
    drop(guard);
}

/// The signals that stop the preview: Ctrl-C, and on Unix SIGTERM and SIGHUP too (a
/// service manager, `kill`, a closed terminal), so each removes the preview folder.
struct Stop {
    #[cfg(unix)]
    signals: Vec<tokio::signal::unix::Signal>,
}

impl Stop {
    #[cfg(unix)]
    fn new() -> std::io::Result<Stop> {
        use tokio::signal::unix::{SignalKind, signal};
        let signals = [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ]
        .into_iter()
        .map(signal)
        .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Stop { signals })
    }

    #[cfg(not(unix))]
    fn new() -> std::io::Result<Stop> {
        Ok(Stop {})
    }

    #[cfg(unix)]
    async fn recv(&mut self) {
        let any = self
            .signals
            .iter_mut()
            .map(|s| Box::pin(s.recv()))
            .collect::<Vec<_>>();
        futures_util::future::select_all(any).await;
    }

    #[cfg(not(unix))]
    async fn recv(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How many connections to serve at once: `MAX_CONNECTIONS`, or half the file-descriptor
/// limit if that is lower (macOS starts at 256), leaving the rest to rebuilds and watching.
fn connection_cap() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct it is given, which lives for the call.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            let half = usize::try_from(limit.rlim_cur / 2).unwrap_or(usize::MAX);
            return half.clamp(16, MAX_CONNECTIONS);
        }
    }
    MAX_CONNECTIONS
}

/// Accepts connections and serves each with hyper's HTTP/1 server, with a header/idle
/// timeout, under a cap on connections served at once.
async fn accept_loop(listener: tokio::net::TcpListener, app: Router) {
    let slots = Arc::new(Semaphore::new(connection_cap()));
    let mut warned: Option<Instant> = None;
    loop {
        // Take a slot before accepting: past the cap, connections wait in the backlog.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let tcp = match listener.accept().await {
            Ok((tcp, _)) => tcp,
            Err(e) => {
                // Out of file descriptors, or a peer gone before it was accepted: the
                // server's trouble, not the site's. Say so now and then, wait, go on.
                if warned.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                    eprintln!("warning: cannot accept a connection: {e}; retrying");
                    warned = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // No Nagle delay: a response's headers and body go out at once.
        let _ = tcp.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            // hyper's header timeout also runs while a keep-alive connection waits for
            // its next request, so it closes idle connections too.
            http.timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let _ = http.serve_connection(TokioIo::new(tcp), service).await;
            drop(slot);
        });
    }
}

/// Binds the port asked for, or the next free one of the ten after it.
async fn bind(interface: IpAddr, port: u16) -> Result<tokio::net::TcpListener, ServeError> {
    let mut last = None;
    for p in port..=port.saturating_add(10) {
        match tokio::net::TcpListener::bind(SocketAddr::new(interface, p)).await {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
        if port == 0 {
            break;
        }
    }
    Err(ServeError::Bind {
        addr: SocketAddr::new(interface, port).to_string(),
        error: last.unwrap_or_else(|| std::io::Error::other("no port")),
    })
}

fn router(out: &Path, live: Arc<Live>, interface: IpAddr) -> Router {
    let files = ServeDir::new(out)
        .append_index_html_on_directories(true)
        .not_found_service(ServeFile::new(out.join("404.html")));
    let not_found = ServeFile::new(out.join("404.html"));
    Router::new()
        .route(LIVE_RELOAD_PATH, get(live_reload_js))
        .route(EVENTS_PATH, get(events))
        .fallback(move |State(live): State<Arc<Live>>, request: Request| {
            serve_file(live, files, not_found, request)
        })
        .layer(middleware::from_fn_with_state(Arc::clone(&live), inject))
        // Outermost: a request for a foreign host or with another method reaches nothing.
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            guard(interface, request, next)
        }))
        .with_state(live)
}

/// Rejects what the preview never answers: a `Host` that is not this machine (a page
/// elsewhere reaching the preview through DNS rebinding), and methods other than GET/HEAD.
async fn guard(interface: IpAddr, request: Request, next: Next) -> Response {
    if !host_allowed(request.headers(), request.uri(), interface) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "this preview answers only to localhost and this machine's addresses\n",
        )
            .into_response();
    }
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        let mut r = (
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are allowed\n",
        )
            .into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    next.run(request).await
}

/// Whether the request names this machine: `localhost`, a loopback address, the address
/// the server was bound to or, bound to every interface, any address literal (a literal
/// cannot be rebound to another site; only names can). A port may follow.
fn host_allowed(headers: &HeaderMap, uri: &axum::http::Uri, interface: IpAddr) -> bool {
    let mut hosts = headers.get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return false;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let names_this_machine = |authority: &str| {
        host_name(authority).is_some_and(|name| match name {
            Host::Name(n) => {
                n.eq_ignore_ascii_case("localhost") || n.eq_ignore_ascii_case("localhost.")
            }
            Host::Ip(ip) => ip.is_loopback() || ip == interface || interface.is_unspecified(),
        })
    };
    // An absolute-form request line carries its own authority: it must pass too.
    names_this_machine(host)
        && uri
            .authority()
            .is_none_or(|a| names_this_machine(a.as_str()))
}

#[derive(Debug, PartialEq, Eq)]
enum Host<'a> {
    Name(&'a str),
    Ip(IpAddr),
}

/// The host of a `Host` value (`name`, `name:port`, `1.2.3.4:port`, `[::1]:port`).
fn host_name(authority: &str) -> Option<Host<'_>> {
    let port_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = authority.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let port = match after {
            "" => "",
            p => p.strip_prefix(':')?,
        };
        let ip = ip.parse::<std::net::Ipv6Addr>().ok()?;
        return port_ok(port).then_some(Host::Ip(IpAddr::V6(ip)));
    }
    let (name, port) = authority.split_once(':').unwrap_or((authority, ""));
    if !port_ok(port) || name.is_empty() {
        return None;
    }
    Some(match name.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => Host::Ip(IpAddr::V4(ip)),
        Err(_) => Host::Name(name),
    })
}

/// Whether a request path names a dotfile or dot-folder (`.briefing-output`, `..`),
/// however it is percent-encoded: those are never served.
fn is_hidden(path: &str) -> bool {
    let mut path = std::borrow::Cow::Borrowed(path);
    // Decoded until nothing changes, so `%252e` counts as a dot as well.
    for _ in 0..4 {
        let decoded = percent_encoding::percent_decode_str(&path)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == path {
            break;
        }
        path = std::borrow::Cow::Owned(decoded);
    }
    path.split(['/', '\\'])
        .any(|segment| segment.starts_with('.'))
}

/// A file of the output. HTML is always read whole (for HEAD and Range requests too),
/// since `inject` adds to it: the length and bytes sent are those of the page as served.
async fn serve_file(
    live: Arc<Live>,
    files: ServeDir<tower_http::set_status::SetStatus<ServeFile>>,
    not_found: ServeFile,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    if is_hidden(parts.uri.path()) {
        let mut r = fetch(not_found, &parts, Method::GET, false).await;
        *r.status_mut() = StatusCode::NOT_FOUND;
        return r.map(Body::new);
    }
    if let Some(pdf) = pdf_path(parts.uri.path()) {
        // Typeset now if an edit has made it stale (on a blocking thread: it takes a
        // while); the file is then served like any other.
        let _ = tokio::task::spawn_blocking(move || typeset_requested(&live, &pdf)).await;
    }
    let response = fetch(files.clone(), &parts, parts.method.clone(), true).await;
    let ranged = parts.headers.contains_key(header::RANGE);
    if is_html(response.headers()) && (parts.method == Method::HEAD || ranged) {
        return fetch(files, &parts, Method::GET, false)
            .await
            .map(Body::new);
    }
    response.map(Body::new)
}

/// The PDF a request path names: `book.pdf`, or a language's `fr/book.pdf`.
fn pdf_path(path: &str) -> Option<String> {
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let rel = path.strip_prefix('/')?;
    let folder = rel.strip_suffix("book.pdf")?;
    let is_language = folder.is_empty()
        || folder.strip_suffix('/').is_some_and(|code| {
            !code.is_empty() && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    is_language.then(|| rel.to_string())
}

/// Typesets the PDF at `path` for a request, after any rebuild under way, and says so as a
/// rebuild is said (with the typesetter's warnings). A failure shows the overlay on open
/// pages (and the last good PDF is served); a success after one takes it away.
fn typeset_requested(live: &Live, path: &str) {
    let Ok(_writing) = live.rebuilding.lock() else {
        return;
    };
    if live.stopping.load(Ordering::SeqCst) {
        return;
    }
    let Ok(mut session) = live.session.lock() else {
        return;
    };
    let Some(typeset) = session.book_pdf(path) else {
        return;
    };
    (live.report)(&typeset);
    if typeset.trouble.is_some() {
        // The overlay is for the site's mistakes.
        return;
    }
    let shown = if typeset.ok() {
        session.errors_shown()
    } else {
        typeset.errors
    };
    if let Ok(mut errors) = live.errors.write()
        && *errors != shown
    {
        *errors = shown;
        let _ = live.events.send(LiveEvent::Reload);
    }
}

/// The request again, as `method`, with or without its `Range` headers.
async fn fetch<S>(
    service: S,
    parts: &axum::http::request::Parts,
    method: Method,
    range: bool,
) -> axum::http::Response<ServeFileSystemResponseBody>
where
    S: tower::Service<
            Request,
            Response = axum::http::Response<ServeFileSystemResponseBody>,
            Error = Infallible,
        >,
{
    let mut request = Request::new(Body::empty());
    *request.method_mut() = method;
    *request.uri_mut() = parts.uri.clone();
    *request.version_mut() = parts.version;
    *request.headers_mut() = parts.headers.clone();
    if !range {
        request.headers_mut().remove(header::RANGE);
        request.headers_mut().remove(header::IF_RANGE);
    }
    match service.oneshot(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

async fn live_reload_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LIVE_RELOAD_JS,
    )
}

async fn events(State(live): State<Arc<Live>>) -> Response {
    // The slot is held by the stream, so it is freed when the page goes away.
    let Ok(slot) = Arc::clone(&live.streams).try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "too many live-reload connections; close some preview tabs\n",
        )
            .into_response();
    };
    let rx = live.events.subscribe();
    let stream = stream::unfold((rx, slot), |(mut rx, slot)| async move {
        loop {
            match rx.recv().await {
                Ok(kind) => {
                    let name = kind.name();
                    return Some((Ok(Event::default().event(name).data(name)), (rx, slot)));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    live_stream(stream).into_response()
}

fn live_stream(
    stream: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// HTML gets the live-reload script and, while the site is broken, the error overlay;
/// HEAD gets the same headers, length included, as GET. Nothing is cached, so a reload
/// always shows the latest build.
async fn inject(State(live): State<Arc<Live>>, request: Request, next: Next) -> Response {
    let head = request.method() == Method::HEAD;
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let status = response.status();
    // Only a page's body is added to (not a 304's or a 206's, which have none of it).
    let injectable = status == StatusCode::OK || status == StatusCode::NOT_FOUND;
    let errors = live.errors.read().map(|e| e.clone()).unwrap_or_default();
    if !is_html(response.headers()) || !injectable {
        // Before the first good build there is no page (not even 404.html) to show the
        // errors on: show them on a bare page instead.
        if status == StatusCode::NOT_FOUND && !errors.is_empty() {
            let html = format!(
                "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body>{}<script src=\"{LIVE_RELOAD_PATH}\"></script>\n</body></html>\n",
                overlay(&errors)
            );
            let mut headers = HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            return with_body(headers, status, html, head);
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut html = String::from_utf8_lossy(&bytes).into_owned();
    let mut extra = String::new();
    if !errors.is_empty() {
        extra.push_str(&overlay(&errors));
    }
    extra.push_str(&format!("<script src=\"{LIVE_RELOAD_PATH}\"></script>\n"));
    match html.rfind("</body>") {
        Some(i) => html.insert_str(i, &extra),
        None => html.push_str(&extra),
    }
    let mut headers = parts.headers;
    // The file's byte ranges and validators are not the page's (the overlay comes and
    // goes): neither ranges nor conditional requests are offered for a page.
    headers.remove(header::ACCEPT_RANGES);
    headers.remove(header::ETAG);
    headers.remove(header::LAST_MODIFIED);
    with_body(headers, parts.status, html, head)
}

/// A response with these headers and `body`'s length; for HEAD, without the body.
fn with_body(mut headers: HeaderMap, status: StatusCode, body: String, head: bool) -> Response {
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    let body = if head {
        Body::empty()
    } else {
        Body::from(body)
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    r
}

/// The error overlay: every problem with its file, line and message.
fn overlay(errors: &[Diagnostic]) -> String {
    let mut s = String::from(
        "<div id=\"briefing-errors\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;\
         background:rgba(20,20,28,.94);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem\">\
         <h2 style=\"color:#ff8a80;margin-top:0;font-family:system-ui,sans-serif\">The last change broke the build</h2>\
         <p style=\"font-family:system-ui,sans-serif\">This is the last good version underneath. Fix the problem and save: the page reloads by itself.</p>",
    );
    for d in errors {
        s.push_str("<pre style=\"white-space:pre-wrap;background:#000;padding:1rem;border-left:4px solid #ff5252\">");
        s.push_str(&crate::html::escape(&d.to_string()));
        s.push_str("</pre>");
    }
    s.push_str("</div>\n");
    s
}

/// Starts the watcher; each debounced batch of changes is rebuilt on its own thread.
fn watch(live: Arc<Live>) -> Result<(), ServeError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut folders = match live.session.lock() {
        Ok(session) => Folders::watch(&session, tx)?,
        Err(_) => return Err(ServeError::Watch("the preview stopped".to_string())),
    };
    std::thread::spawn(move || {
        // After the server's own trouble (say, out of file descriptors) the rebuild is
        // retried every second until it goes through, without waiting for another save.
        let mut retry = false;
        // Each watcher failure is said once, however often it recurs.
        let mut said = std::collections::HashSet::new();
        loop {
            let Some(Batch {
                mut paths,
                timed_out,
                rescan,
                failures,
            }) = next_batch(&rx, retry)
            else {
                return;
            };
            for failure in failures {
                if said.insert(failure.clone()) {
                    eprintln!(
                        "warning: the file watcher failed: {failure}; edits it cannot see are missed \
                         (on Linux, raise fs.inotify.max_user_watches); reading the whole site again"
                    );
                }
            }
            // Only the retry timer asks to rebuild with no changed path: a batch of events
            // that were all reads (the rebuild's own) must not retry a failed rebuild, or a
            // broken template would be reloaded, and reported, without end.
            if paths.is_empty() && !timed_out && !rescan {
                continue;
            }
            folders.refresh(&mut paths);
            // Held while writing: shutdown waits for it, and no rebuild starts after.
            let Ok(_writing) = live.rebuilding.lock() else {
                return;
            };
            if live.stopping.load(Ordering::SeqCst) {
                return;
            }
            let changes = if rescan {
                Changes::Everything
            } else {
                Changes::Paths(&paths)
            };
            let Ok(mut session) = live.session.lock() else {
                return;
            };
            retry = rebuild(&mut session, &live, changes, retry);
        }
    });
    Ok(())
}

type Events = std::sync::mpsc::Receiver<notify_debouncer_full::DebounceEventResult>;

/// The folders of a site being watched: those the session reads (`watched`), and of them
/// those that exist and are watched now (`watching`).
struct Folders {
    debouncer: notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
    watched: Vec<PathBuf>,
    watching: Vec<PathBuf>,
}

impl Folders {
    fn watch(
        session: &Session,
        tx: std::sync::mpsc::Sender<notify_debouncer_full::DebounceEventResult>,
    ) -> Result<Folders, ServeError> {
        use notify::RecursiveMode;
        let mut debouncer =
            notify_debouncer_full::new_debouncer(Duration::from_millis(20), None, tx)
                .map_err(|e| ServeError::Watch(e.to_string()))?;
        let watched = session.watched();
        // The site folder itself, shallowly: to see briefing.toml replaced, and a static/
        // or templates/ folder created after start.
        let root = session.root().to_path_buf();
        debouncer
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| ServeError::Watch(format!("{}: {e}", root.display())))?;
        let mut watching: Vec<PathBuf> = Vec::new();
        for path in &watched {
            if path.is_dir() {
                debouncer
                    .watch(path, RecursiveMode::Recursive)
                    .map_err(|e| ServeError::Watch(format!("{}: {e}", path.display())))?;
                watching.push(path.clone());
            }
        }
        Ok(Folders {
            debouncer,
            watched,
            watching,
        })
    }

    /// Forgets watched folders that went away (to watch them again if they return), and
    /// watches those that appeared since, adding their files to `paths` as new. A watched
    /// folder an event names may be another folder now (swapped in one step), while the
    /// watch follows the one moved away: it is watched afresh.
    fn refresh(&mut self, paths: &mut Vec<PathBuf>) {
        let debouncer = &mut self.debouncer;
        let before = self.watching.clone();
        self.watching.retain(|dir| {
            let keep = dir.is_dir() && !paths.contains(dir);
            if !keep {
                let _ = debouncer.unwatch(dir);
            }
            keep
        });
        let mut appeared = Vec::new();
        for dir in &self.watched {
            if dir.is_dir()
                && !self.watching.contains(dir)
                && debouncer
                    .watch(dir, notify::RecursiveMode::Recursive)
                    .is_ok()
            {
                self.watching.push(dir.clone());
                // One watched before was swapped for another: what it held is read again.
                if !before.contains(dir) {
                    appeared.push(dir.clone());
                }
                paths.extend(
                    walkdir::WalkDir::new(dir)
                        .into_iter()
                        .filter_map(Result::ok)
                        .filter(|e| e.file_type().is_file())
                        .map(|e| e.into_path()),
                );
            }
        }
        // A folder that appeared says no more than its files, added above. Only such a
        // folder's own path is dropped: the config file, a folder that went away and one
        // that could not be watched are changes the session reads.
        paths.retain(|p| !appeared.contains(p));
    }
}

/// The paths changed in one batch of events, sorted, each once.
struct Batch {
    paths: Vec<PathBuf>,
    /// No event came within the retry interval.
    timed_out: bool,
    /// The watcher lost events (its queue overflowed, or it failed): the paths are not
    /// all there is.
    rescan: bool,
    /// What the watcher said went wrong.
    failures: Vec<String>,
}

/// What a rebuild is for: the paths a batch named, or everything.
enum Changes<'a> {
    Paths(&'a [PathBuf]),
    Everything,
}

/// Waits for the next batch (a second at most while `retry`), and takes in what else is
/// already queued; `None` once the watcher is gone.
fn next_batch(rx: &Events, retry: bool) -> Option<Batch> {
    use std::sync::mpsc::RecvTimeoutError;
    let first = if retry {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(r) => Some(r),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    } else {
        Some(rx.recv().ok()?)
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut rescan = false;
    let mut failures = Vec::new();
    let mut collect = |r: notify_debouncer_full::DebounceEventResult| match r {
        Ok(events) => {
            // Reads (our own, while rebuilding) are not changes.
            for e in events.iter().filter(|e| !e.event.kind.is_access()) {
                rescan |= e.event.need_rescan();
                paths.extend(e.event.paths.iter().cloned());
            }
        }
        // The watcher could not read its events, or watch a new folder (the system's
        // limit reached): what changed meanwhile is not known.
        Err(errors) => {
            rescan = true;
            failures.extend(errors.iter().map(ToString::to_string));
        }
    };
    let timed_out = first.is_none();
    if let Some(result) = first {
        collect(result);
    }
    while let Ok(more) = rx.try_recv() {
        collect(more);
    }
    paths.sort();
    paths.dedup();
    Some(Batch {
        paths,
        timed_out,
        rescan,
        failures,
    })
}

/// Rebuilds for one batch, tells the browsers, and then writes what the rebuild deferred;
/// whether to retry in a second (the server's own trouble).
fn rebuild(session: &mut Session, live: &Live, changes: Changes, retry: bool) -> bool {
    let (applied, named) = match changes {
        Changes::Paths(paths) => (session.apply(paths), !paths.is_empty()),
        Changes::Everything => (session.rescan(), true),
    };
    let Some(rebuild) = applied else {
        // Nothing was left to retry, but a deferred write that failed may be.
        return (retry && named) | finish(session, live);
    };
    (live.report)(&rebuild);
    if rebuild.trouble.is_some() {
        // The overlay is for the site's mistakes; the pages served are unchanged.
        return true;
    }
    if let Ok(mut errors) = live.errors.write() {
        *errors = rebuild.errors.clone();
    }
    let _ = live.events.send(if rebuild.ok() && rebuild.css_only {
        LiveEvent::Css
    } else {
        LiveEvent::Reload
    });
    finish(session, live)
}

/// The book and search index a body edit deferred, once its page is served: said only
/// when it fails; the book's own tab reloads when it is written. Whether to retry.
fn finish(session: &mut Session, live: &Live) -> bool {
    let Some(late) = session.finish() else {
        return false;
    };
    if late.ok() {
        let _ = live.events.send(LiveEvent::Book);
        return false;
    }
    (live.report)(&late);
    if let Ok(mut errors) = live.errors.write() {
        *errors = late.errors.clone();
    }
    late.trouble.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watcher_failure_or_overflow_asks_for_a_rescan() {
        let (tx, rx) = std::sync::mpsc::channel();
        let event =
            |e: notify::Event| notify_debouncer_full::DebouncedEvent::new(e, Instant::now());
        let saved = notify::Event::new(notify::EventKind::Modify(notify::event::ModifyKind::Any))
            .add_path(PathBuf::from("/site/content/a.md"));
        tx.send(Ok(vec![event(saved.clone())])).expect("send");
        let batch = next_batch(&rx, false).expect("batch");
        assert_eq!(batch.paths, [PathBuf::from("/site/content/a.md")]);
        assert!(!batch.rescan && batch.failures.is_empty());
        // The queue overflowed: an event with no paths, flagged.
        let overflow =
            notify::Event::new(notify::EventKind::Other).set_flag(notify::event::Flag::Rescan);
        tx.send(Ok(vec![event(overflow)])).expect("send");
        assert!(next_batch(&rx, false).expect("batch").rescan);
        // The watcher failed (say, the limit of watches reached), beside a save.
        tx.send(Ok(vec![event(saved)])).expect("send");
        tx.send(Err(vec![notify::Error::generic("watch limit reached")]))
            .expect("send");
        let batch = next_batch(&rx, false).expect("batch");
        assert!(batch.rescan);
        assert_eq!(batch.paths.len(), 1);
        assert_eq!(batch.failures.len(), 1);
        assert!(
            batch.failures[0].contains("watch limit reached"),
            "{:?}",
            batch.failures
        );
    }

    fn allowed(host: &str, interface: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(host).expect("header"));
        host_allowed(
            &headers,
            &axum::http::Uri::from_static("/"),
            interface.parse().expect("ip"),
        )
    }

    #[test]
    fn hosts_of_this_machine_only() {
        for ok in [
            "localhost",
            "localhost:1111",
            "LocalHost:1",
            "127.0.0.1",
            "127.0.0.1:1111",
            "127.9.9.9:80",
            "[::1]",
            "[::1]:1111",
        ] {
            assert!(allowed(ok, "127.0.0.1"), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "10.0.0.5:1111",
            "localhost:x",
            "[::1",
            "[::1]x",
            "",
            ":1111",
            "user@localhost",
        ] {
            assert!(!allowed(bad, "127.0.0.1"), "{bad}");
        }
        // The address it was told to bind, and any literal when bound to all of them.
        assert!(allowed("192.168.1.20:1111", "192.168.1.20"));
        assert!(!allowed("192.168.1.21:1111", "192.168.1.20"));
        assert!(allowed("192.168.1.21:1111", "0.0.0.0"));
        assert!(allowed("[fe80::1]:1111", "::"));
        assert!(!allowed("evil.example", "0.0.0.0"));
    }

    #[test]
    fn dot_segments_are_hidden_however_encoded() {
        for hidden in [
            "/.briefing-output",
            "/%2ebriefing-output",
            "/%2Ebriefing-output",
            "/%252ebriefing-output",
            "/a/%2E%2E/x",
            "/a/..%2f.x",
            "/a/..%5cx",
            "/..",
            "/a/./b",
        ] {
            assert!(is_hidden(hidden), "{hidden}");
        }
        for shown in [
            "/",
            "/notes/detentions/",
            "/style.css",
            "/a.b/c",
            "/__briefing/live.js",
            "/__briefing/events",
        ] {
            assert!(!is_hidden(shown), "{shown}");
        }
    }
}
