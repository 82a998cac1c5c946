//! The HTTP server loop: the router on hyper connections, with the limits a public server needs
//! and `axum::serve` does not offer (#21, finding 12): a deadline for each request's headers
//! (which also closes idle keep-alive connections), a cap on open connections, and a bounded
//! graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::coarse_timer::CoarseTimer;

/// How long in-flight requests may take to finish once shutdown starts.
const DRAIN: Duration = Duration::from_secs(30);

/// What one server process allows its clients.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Time to send a request's headers, and an idle connection's time to start the next.
    pub header_timeout: Duration,
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` completes, then lets in-flight requests
/// finish for up to 30 s.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    // A tenth of the deadline: a slow client is cut off at most 10 % late.
    let timer = CoarseTimer::start(
        (limits.header_timeout / 10).clamp(Duration::from_millis(5), Duration::from_millis(250)),
    );
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(timer.clone())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(timer)
        .keep_alive_interval(limits.header_timeout)
        .keep_alive_timeout(limits.header_timeout);
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // The hosted flow limits each client address; nothing else needs the peer, so other
        // requests skip the extension's allocation.
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: axum::http::Request<_>| {
                if request.uri().path().starts_with("/flow/") {
                    request.extensions_mut().insert(ConnectInfo(peer));
                }
                request
            },
        ));
        let builder = builder.clone();
        let connection = graceful.watch(
            builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned(),
        );
        tokio::spawn(async move {
            // A client that goes away or is too slow is its own business, not the server's.
            let _ = connection.await;
            drop(permit);
        });
    }
    // Close the socket now: connections made during the drain would wait in the kernel's
    // backlog for an accept that never comes, instead of being refused and retried elsewhere.
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {
            tracing::warn!("shutting down with requests still running after 30 s");
        }
    }
}
