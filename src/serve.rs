//! `briefing serve`: build, watch, and serve the output over HTTP with live reload.
//! axum + tower-http's `ServeDir` do the HTTP; a broadcast channel tells every open page
//! (over Server-Sent Events) to reload after each rebuild.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast;
use tower_http::services::{ServeDir, ServeFile};

use crate::diagnostic::Diagnostic;
use crate::site::BuildOptions;
use crate::watch::{Rebuild, Session};

pub const LIVE_RELOAD_PATH: &str = "/__briefing/live.js";
pub const EVENTS_PATH: &str = "/__briefing/events";

const LIVE_RELOAD_JS: &str = include_str!("live_reload.js");

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub interface: IpAddr,
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
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

/// Shared between the HTTP handlers and the rebuild loop.
struct Live {
    /// The current problems; every served page shows them while there are any.
    errors: RwLock<Vec<Diagnostic>>,
    /// "reload" or "css" after each rebuild.
    events: broadcast::Sender<&'static str>,
}

/// Runs the preview until Ctrl-C. `report` prints each rebuild's line and diagnostics.
pub fn serve(
    root: &Path,
    options: ServeOptions,
    report: impl Fn(&Rebuild) + Send + 'static,
    announce: impl FnOnce(&str),
) -> Result<(), ServeError> {
    // Watcher events carry absolute paths; compare them with an absolute root.
    let root = &std::fs::canonicalize(root).map_err(ServeError::Io)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Io)?;
    let listener = runtime.block_on(bind(options.interface, options.port))?;
    let addr = listener.local_addr().map_err(ServeError::Io)?;
    let url = format!("http://{addr}/");

    // The preview is built into a temporary folder, removed on exit: `public/` is left to
    // `briefing build`. Absolute URLs (feed, sitemap, the 404 page) point at the preview.
    let scratch = tempfile::Builder::new()
        .prefix("briefing-serve-")
        .tempdir()
        .map_err(ServeError::Io)?;
    let out = scratch.path().join("site");
    let build_options = BuildOptions {
        drafts: options.drafts,
        base_url: Some(url.clone()),
        ..BuildOptions::default()
    };
    let (session, first) = Session::start(root, build_options, &out);
    report(&first);
    if !out.exists() {
        std::fs::create_dir_all(&out).map_err(ServeError::Io)?;
    }
    let (events, _) = broadcast::channel(16);
    let live = Arc::new(Live {
        errors: RwLock::new(first.errors.clone()),
        events,
    });

    // Watch before announcing the address, so no edit made after the announcement is missed.
    watch(session, Arc::clone(&live), report)?;
    announce(&url);
    if options.open {
        let _ = opener::open(&url);
    }

    let app = router(&out, Arc::clone(&live));
    runtime.block_on(async move {
        // Live-reload connections never finish by themselves, so Ctrl-C does not wait
        // for open connections: it stops serving at once.
        tokio::select! {
            // No Nagle delay: a response's headers and body go out at once.
            served = axum::serve(listener.tap_io(|tcp| { let _ = tcp.set_nodelay(true); }), app) => served.map_err(ServeError::Io),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })?;
    runtime.shutdown_background();
    // Dropping `scratch` removes the preview folder.
    drop(scratch);
    Ok(())
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

fn router(out: &Path, live: Arc<Live>) -> Router {
    let files = ServeDir::new(out)
        .append_index_html_on_directories(true)
        .not_found_service(ServeFile::new(out.join("404.html")));
    Router::new()
        .route(LIVE_RELOAD_PATH, get(live_reload_js))
        .route(EVENTS_PATH, get(events))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(Arc::clone(&live), inject))
        .with_state(live)
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

async fn events(
    State(live): State<Arc<Live>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = live.events.subscribe();
    let stream = stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(kind) => return Some((Ok(Event::default().event(kind).data(kind)), rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Only GET and HEAD; HTML gets the live-reload script and, while the site is broken, the
/// error overlay. Nothing is cached, so a reload always shows the latest build.
async fn inject(State(live): State<Arc<Live>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
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
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if method == Method::HEAD {
        return response;
    }
    if !is_html {
        // Before the first good build there is no page (not even 404.html) to show the
        // errors on: show them on a bare page instead.
        let errors = live.errors.read().map(|e| e.clone()).unwrap_or_default();
        if response.status() == StatusCode::NOT_FOUND && !errors.is_empty() {
            let html = format!(
                "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body>{}<script src=\"{LIVE_RELOAD_PATH}\"></script>\n</body></html>\n",
                overlay(&errors)
            );
            return (
                StatusCode::NOT_FOUND,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                html,
            )
                .into_response();
        }
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut html = String::from_utf8_lossy(&bytes).into_owned();
    let mut extra = String::new();
    if let Ok(errors) = live.errors.read()
        && !errors.is_empty()
    {
        extra.push_str(&overlay(&errors));
    }
    extra.push_str(&format!("<script src=\"{LIVE_RELOAD_PATH}\"></script>\n"));
    match html.rfind("</body>") {
        Some(i) => html.insert_str(i, &extra),
        None => html.push_str(&extra),
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
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
        s.push_str(&escape(&d.to_string()));
        s.push_str("</pre>");
    }
    s.push_str("</div>\n");
    s
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Starts the watcher; each debounced batch of changes is rebuilt on its own thread.
fn watch(
    mut session: Session,
    live: Arc<Live>,
    report: impl Fn(&Rebuild) + Send + 'static,
) -> Result<(), ServeError> {
    use notify::RecursiveMode;
    let (tx, rx) = std::sync::mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(Duration::from_millis(20), None, tx)
        .map_err(|e| ServeError::Watch(e.to_string()))?;
    let watched = session.watched();
    // The site folder itself, shallowly: to see briefing.toml replaced, and a static/ or
    // templates/ folder created after start.
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
    std::thread::spawn(move || {
        while let Ok(result) = rx.recv() {
            let mut paths: Vec<PathBuf> = Vec::new();
            let mut collect = |r: notify_debouncer_full::DebounceEventResult| {
                if let Ok(events) = r {
                    // Reads (our own, while rebuilding) are not changes.
                    for e in events.iter().filter(|e| !e.event.kind.is_access()) {
                        paths.extend(e.event.paths.iter().cloned());
                    }
                }
            };
            collect(result);
            // Anything else already queued joins this rebuild.
            while let Ok(more) = rx.try_recv() {
                collect(more);
            }
            paths.sort();
            paths.dedup();
            // A watched folder that went away: forget it, to watch it again if it returns.
            watching.retain(|dir| {
                let present = dir.is_dir();
                if !present {
                    let _ = debouncer.unwatch(dir);
                }
                present
            });
            // A watched folder that appeared since: watch it, and treat its files as new.
            for dir in &watched {
                if dir.is_dir()
                    && !watching.contains(dir)
                    && debouncer.watch(dir, RecursiveMode::Recursive).is_ok()
                {
                    watching.push(dir.clone());
                    paths.extend(
                        walkdir::WalkDir::new(dir)
                            .into_iter()
                            .filter_map(Result::ok)
                            .filter(|e| e.file_type().is_file())
                            .map(|e| e.into_path()),
                    );
                }
            }
            let Some(rebuild) = session.apply(&paths) else {
                continue;
            };
            report(&rebuild);
            if let Ok(mut errors) = live.errors.write() {
                *errors = rebuild.errors.clone();
            }
            let _ = live.events.send(if rebuild.ok() && rebuild.css_only {
                "css"
            } else {
                "reload"
            });
        }
    });
    Ok(())
}
