//! Prometheus metrics: requests by method, route template and status, and latency histograms
//! by route. Route templates (never raw paths) keep ids and personal data out of labels.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use clearance_core::service::WebhookStats;
use clearance_jobs::{QueueCounts, WorkerStats};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct RouteStats {
    /// Answers by (method label, status). The label is one of [`method_label`]'s constants,
    /// so the methods a client invents cannot add series.
    answers: Vec<(&'static str, u16, u64)>,
    latency: Histogram,
}

/// In-process counters, rendered in the Prometheus text format.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
}

impl Metrics {
    /// One lock, and no allocation once a route, method and status have been seen. It takes the
    /// parsed method and labels it itself, so no caller can key a series by a raw method string
    /// (which a client chooses freely).
    fn record(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        let method = method_label(method);
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        if !routes.contains_key(route) {
            routes.insert(route.to_string(), RouteStats::default());
        }
        let Some(stats) = routes.get_mut(route) else {
            return;
        };
        match stats
            .answers
            .iter_mut()
            .find(|(m, s, _)| *m == method && *s == status)
        {
            Some((_, _, n)) => *n += 1,
            None => stats.answers.push((method, status, 1)),
        }
        let h = &mut stats.latency;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// The Prometheus exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP clearance_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE clearance_http_requests_total counter\n");
        let Ok(routes) = self.routes.lock() else {
            return out;
        };
        for (route, stats) in routes.iter() {
            for (method, status, n) in &stats.answers {
                let _ = writeln!(
                    out,
                    "clearance_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str(
            "# HELP clearance_http_request_duration_seconds Time to answer HTTP requests.\n",
        );
        out.push_str("# TYPE clearance_http_request_duration_seconds histogram\n");
        {
            for (route, h) in routes.iter().map(|(r, s)| (r, &s.latency)) {
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "clearance_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "clearance_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "clearance_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "clearance_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        out
    }
}

/// Middleware recording every answered request, and logging server errors. At debug level each
/// request also gets a span; it names the method and the route template only, because query
/// strings and ids may carry personal data.
///
/// A hand-written service rather than `axum::middleware::from_fn`: it wraps every route, and
/// `from_fn` boxes the inner service and the future on each request.
#[derive(Clone)]
pub(crate) struct RecordLayer {
    pub(crate) metrics: Arc<Metrics>,
}

impl<S> Layer<S> for RecordLayer {
    type Service = Record<S>;

    fn layer(&self, inner: S) -> Record<S> {
        Record {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Record<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S> Service<Request> for Record<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Recorded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let method = request.method().clone();
        let route = request.extensions().get::<MatchedPath>().cloned();
        let span = if tracing::enabled!(tracing::Level::DEBUG) {
            let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
            tracing::debug_span!("http", method = %method, route = %route)
        } else {
            tracing::Span::none()
        };
        Recorded {
            inner: self.inner.call(request),
            span,
            answered: Some(Answered {
                metrics: self.metrics.clone(),
                method,
                route,
                started: Instant::now(),
            }),
        }
    }
}

/// The method as a label: the standard methods by name, any other as `OTHER`, so a client
/// inventing methods cannot grow the metrics without bound.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
}

/// What is recorded once the answer is ready.
struct Answered {
    metrics: Arc<Metrics>,
    method: Method,
    route: Option<MatchedPath>,
    started: Instant,
}

impl Answered {
    fn record(self, status: StatusCode) {
        let route = self.route.as_ref().map_or("unmatched", MatchedPath::as_str);
        let seconds = self.started.elapsed().as_secs_f64();
        if status.is_server_error() {
            tracing::error!(method = %self.method, route, status = status.as_u16(), seconds,
                "answered with a server error");
        }
        self.metrics
            .record(&self.method, route, status.as_u16(), seconds);
    }
}

pin_project! {
    /// The inner service's future, polled inside the request's span; records the answer.
    pub(crate) struct Recorded<F> {
        #[pin]
        inner: F,
        span: tracing::Span,
        answered: Option<Answered>,
    }
}

impl<F, E> Future for Recorded<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let output = ready!(this.inner.poll(cx));
        if let (Ok(response), Some(answered)) = (&output, this.answered.take()) {
            answered.record(response.status());
        }
        Poll::Ready(output)
    }
}

/// The job counters of this process and the queue's depth (shared by every process).
pub fn render_jobs(stats: Option<&WorkerStats>, counts: Option<QueueCounts>) -> String {
    let mut out = String::new();
    if let Some(stats) = stats {
        out.push_str("# HELP clearance_jobs_total Jobs this process settled, by how they ended.\n");
        out.push_str("# TYPE clearance_jobs_total counter\n");
        for (outcome, counter) in [
            ("claimed", &stats.claimed),
            ("completed", &stats.completed),
            ("retried", &stats.retried),
            ("buried", &stats.buried),
            ("released", &stats.released),
        ] {
            let n = counter.load(Ordering::Relaxed);
            let _ = writeln!(out, "clearance_jobs_total{{outcome=\"{outcome}\"}} {n}");
        }
    }
    if let Some(c) = counts {
        out.push_str("# HELP clearance_job_queue Jobs in the shared queue, by state.\n");
        out.push_str("# TYPE clearance_job_queue gauge\n");
        for (state, n) in [
            ("queued", c.queued),
            ("running", c.running),
            ("dead", c.dead),
        ] {
            let _ = writeln!(out, "clearance_job_queue{{state=\"{state}\"}} {n}");
        }
    }
    out
}

/// The webhook delivery counters of this process.
pub fn render_webhooks(stats: &WebhookStats) -> String {
    let mut out = String::new();
    out.push_str(
        "# HELP clearance_webhook_deliveries_total Webhook delivery attempts this process made, by outcome.\n",
    );
    out.push_str("# TYPE clearance_webhook_deliveries_total counter\n");
    for (outcome, counter) in [("delivered", &stats.delivered), ("failed", &stats.failed)] {
        let n = counter.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "clearance_webhook_deliveries_total{{outcome=\"{outcome}\"}} {n}"
        );
    }
    out.push_str(
        "# HELP clearance_webhooks_disabled_total Webhooks this process disabled after their last failed delivery.\n",
    );
    out.push_str("# TYPE clearance_webhooks_disabled_total counter\n");
    let _ = writeln!(
        out,
        "clearance_webhooks_disabled_total {}",
        stats.disabled.load(Ordering::Relaxed)
    );
    out
}

/// How old each imported screening list's publication is, for alerting on stale lists (lists
/// without a known date are left out).
pub fn render_lists(lists: &[clearance_core::screening_lists::StoredList], now_ms: i64) -> String {
    let mut out = String::new();
    out.push_str(
        "# HELP clearance_screening_list_age_seconds Seconds since each imported screening list was published.\n",
    );
    out.push_str("# TYPE clearance_screening_list_age_seconds gauge\n");
    for list in lists {
        if let Some(age) = list.age_seconds(now_ms) {
            let name = list.name.replace('\\', "\\\\").replace('"', "\\\"");
            let _ = writeln!(
                out,
                "clearance_screening_list_age_seconds{{list=\"{name}\"}} {age}"
            );
        }
    }
    out.push_str(
        "# HELP clearance_screening_list_self_check_missed Names of the stored version, sampled at import, that did not find their own entry (above 0 only for a version forced past a failed self-check).\n",
    );
    out.push_str("# TYPE clearance_screening_list_self_check_missed gauge\n");
    for list in lists.iter().filter(|l| l.self_check_sampled > 0) {
        let name = list.name.replace('\\', "\\\\").replace('"', "\\\"");
        let _ = writeln!(
            out,
            "clearance_screening_list_self_check_missed{{list=\"{name}\"}} {}",
            list.self_check_missed
        );
    }
    out
}

/// How the downloads of each list source go (`clearance lists fetch`, the refresh schedule),
/// from the shared fetch state: the same on every node, whichever node fetched.
pub fn render_fetches(states: &[clearance_core::screening_lists::FetchState]) -> String {
    let mut out = String::new();
    out.push_str(
        "# HELP clearance_screening_list_fetch_failures Failed fetches of each list source since its last successful one.\n",
    );
    out.push_str("# TYPE clearance_screening_list_fetch_failures gauge\n");
    for state in states {
        let _ = writeln!(
            out,
            "clearance_screening_list_fetch_failures{{source=\"{}\"}} {}",
            state.source, state.failures
        );
    }
    out.push_str(
        "# HELP clearance_screening_list_fetch_success_timestamp_seconds When each list source was last fetched successfully (Unix time).\n",
    );
    out.push_str("# TYPE clearance_screening_list_fetch_success_timestamp_seconds gauge\n");
    for state in states {
        if let Some(at) = state.succeeded_at {
            let _ = writeln!(
                out,
                "clearance_screening_list_fetch_success_timestamp_seconds{{source=\"{}\"}} {}",
                state.source,
                at / 1000
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        let metrics = Metrics::default();
        for n in 0..10_000 {
            let method = Method::from_bytes(format!("M{n}").as_bytes()).expect("a token");
            metrics.record(&method, "unmatched", 405, 0.001);
        }
        metrics.record(&Method::GET, "unmatched", 404, 0.001);
        let routes = metrics.routes.lock().expect("not poisoned");
        let answers = &routes["unmatched"].answers;
        assert_eq!(answers.len(), 2, "{answers:?}");
        assert!(answers.contains(&("OTHER", 405, 10_000)));
    }

    #[test]
    fn fetch_failures_are_shown_per_source() {
        use clearance_core::screening_lists::FetchState;
        let states = [
            FetchState {
                source: "eu-fsf".into(),
                attempted_at: 5_000,
                error: Some("HTTP 500".into()),
                failures: 3,
                ..FetchState::default()
            },
            FetchState {
                source: "un-sc".into(),
                attempted_at: 9_000,
                succeeded_at: Some(9_000),
                ..FetchState::default()
            },
        ];
        let text = render_fetches(&states);
        assert!(text.contains("clearance_screening_list_fetch_failures{source=\"eu-fsf\"} 3\n"));
        assert!(text.contains("clearance_screening_list_fetch_failures{source=\"un-sc\"} 0\n"));
        assert!(text.contains(
            "clearance_screening_list_fetch_success_timestamp_seconds{source=\"un-sc\"} 9\n"
        ));
        assert!(
            !text.contains("success_timestamp_seconds{source=\"eu-fsf\"}"),
            "{text}"
        );
    }
}
